// docs/http.md's examples: HttpClient connecting with Happy Eyeballs, by hand and through IHttpClientFactory, with the
// connect's metrics and spans observed the way a monitoring agent would. Loopback only: a tiny HTTP responder on
// tcp://*:0 answers every request.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using DualStack;
using Microsoft.Extensions.DependencyInjection;

await using var server = await EndpointDescription.ParseServer("tcp://*:0").ListenAsync();
int port = server.LocalEndPoints[0].Port;
var serving = ServeAsync(server);

// Watch what DualStack reports: the meter and the activity source are both named "DualStack".
using var meters = new MeterListener();
meters.InstrumentPublished = (instrument, listener) =>
{
    if (instrument.Meter.Name == DualStackDiagnostics.MeterName && instrument.Name == "dualstack.connect.duration")
    {
        listener.EnableMeasurementEvents(instrument);
    }
};
meters.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
    Console.WriteLine($"metric dualstack.connect.duration {(seconds > 0 ? "> 0 s" : "0 s")} {string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))}"));
meters.Start();
using var spans = new ActivityListener
{
    ShouldListenTo = source => source.Name == DualStackDiagnostics.ActivitySourceName,
    Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
    ActivityStopped = activity => Console.WriteLine($"span {activity.OperationName} {activity.Status}"),
};
ActivitySource.AddActivityListener(spans);

// One handler, one line.
using (var client = new HttpClient(new SocketsHttpHandler().UseDualStack()))
{
    Console.WriteLine($"handler: {await client.GetStringAsync(new Uri($"http://localhost:{port}/"))}");
}

// Dependency injection: options for every endpoint, and a named client that connects the same way.
var services = new ServiceCollection();
services.AddDualStack(options => options.Connect = options.Connect with { AttemptDelay = TimeSpan.FromMilliseconds(100) });
services.AddHttpClient("local").UseDualStack();
await using (var provider = services.BuildServiceProvider())
{
    var factory = provider.GetRequiredService<IHttpClientFactory>();
    using var client = factory.CreateClient("local");
    Console.WriteLine($"factory: {await client.GetStringAsync(new Uri($"http://localhost:{port}/"))}");
    var endpoint = provider.GetRequiredService<HostnameEndpointFactory>().Create("localhost", port);
    Console.WriteLine($"endpoint from DI: {endpoint} (attempt delay {endpoint.AttemptDelay.TotalMilliseconds} ms)");
}

await server.StopAsync();
await serving;

// Answers each connection's first request with a fixed response and closes it.
static async Task ServeAsync(IStreamListener listener)
{
    var response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    while (await listener.AcceptAsync() is { } connection)
    {
        await using (connection)
        {
            var request = new byte[4096];
            int length = 0;
            while (!Encoding.ASCII.GetString(request, 0, length).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                int read = await connection.Stream.ReadAsync(request.AsMemory(length));
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            await connection.Stream.WriteAsync(response);
        }
    }
}
