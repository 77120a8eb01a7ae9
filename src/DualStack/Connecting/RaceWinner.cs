using System.Net.Sockets;

namespace DualStack;

// <summary>What won a race with an after-connect step: the socket, the step's result on it, and the race's timeline.</summary>
// <typeparam name="T">The step's result, such as the <see cref="System.Net.Security.SslStream"/> of a completed handshake.</typeparam>
// <param name="Socket">The winning connected socket.</param>
// <param name="Value">What the step made of it.</param>
// <param name="Attempts">Every attempt of the race, the winner included.</param>
internal sealed record RaceWinner<T>(Socket Socket, T Value, IReadOnlyList<ConnectionAttempt> Attempts);
