using System.Text.Json.Serialization;

namespace DualStack.Scenarios;

/// <summary>
/// The cold-start child's JSON, generated at build time: serializing with reflection would add its own start-up (the
/// reflection over the types) to every child's whole-process time. The parent reads it back with the same context.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ColdOnceReport))]
internal sealed partial class ColdJsonContext : JsonSerializerContext;
