using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Loki.Ruler.Evaluation;
using Orleans.Loki.Ruler.RemoteWrite;
using Orleans.Loki.Ruler.RemoteWrite.Proto;
using Orleans.Loki.Testing;

namespace Orleans.Loki.Ruler.Tests;

/// <summary>The remote-write queue: retries with backoff, drops counted by reason, headers and body as remote write 1.0.</summary>
public sealed class RemoteWriterTests
{
    private static RecordedSample Sample(double v) => new([new("__name__", "m"), new("app", "x")], v, 1000);

    [Fact]
    public async Task ReceiverFailingThenRecovering_GetsTheBatchAfterRetries_WithTenantHeader()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 3, failStatus: 503);
        var tenant = "rw-" + Guid.NewGuid().ToString("n")[..8];
        using var writer = Writer(receiver.Url, "retry");
        await writer.StartAsync(CancellationToken.None);
        writer.Append(tenant, [Sample(42)]);
        var request = await receiver.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.HoldsAsync(() => Task.FromResult(RemoteWriter.Progress(tenant, "retry").Sent), v => v == 1, TimeSpan.FromSeconds(10), "sent samples counted");
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(tenant, request.Tenant);
        Assert.Equal("snappy", request.Encoding);
        Assert.Equal("0.1.0", request.Version);
        var series = Assert.Single(WriteRequest.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(request.Body)).Timeseries);
        Assert.Equal(42, Assert.Single(series.Samples).Value);
        Assert.Equal(4, receiver.Requests);
        var (sent, retried) = RemoteWriter.Progress(tenant, "retry");
        Assert.Equal((1.0, 3.0), (sent, retried));
    }

    [Fact]
    public async Task ReceiverRejecting_DropsTheBatch_CountedAsRejected()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: int.MaxValue, failStatus: 400);
        var tenant = "rw-" + Guid.NewGuid().ToString("n")[..8];
        using var writer = Writer(receiver.Url, "reject");
        await writer.StartAsync(CancellationToken.None);
        writer.Append(tenant, [Sample(1), Sample(2)]);
        await Eventually.HoldsAsync(() => Task.FromResult(RemoteWriter.Dropped(tenant, "reject", "rejected")), v => v == 2, TimeSpan.FromSeconds(10), "rejected samples counted");
        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(1, receiver.Requests);
    }

    [Fact]
    public async Task ReceiverDown_RetriesUntilMaxRetryDuration_ThenDropsCounted()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: int.MaxValue, failStatus: 500);
        var tenant = "rw-" + Guid.NewGuid().ToString("n")[..8];
        // Long enough that a first request slowed down by a loaded machine (connection set-up, JIT) still leaves
        // time for retries before the deadline.
        using var writer = Writer(receiver.Url, "exhaust", maxRetry: TimeSpan.FromSeconds(5));
        await writer.StartAsync(CancellationToken.None);
        writer.Append(tenant, [Sample(1)]);
        await Eventually.HoldsAsync(() => Task.FromResult(RemoteWriter.Dropped(tenant, "exhaust", "retries_exhausted")), v => v == 1, TimeSpan.FromSeconds(20), "exhausted samples counted");
        await writer.StopAsync(CancellationToken.None);
        Assert.True(receiver.Requests > 1, $"{receiver.Requests} requests");
    }

    [Fact]
    public void FullQueue_DropsTheOldestSamples_CountedAsQueueFull()
    {
        var tenant = "rw-" + Guid.NewGuid().ToString("n")[..8];
        using var writer = Writer("http://127.0.0.1:9/api/v1/write", "full", capacity: 2);   // not started: nothing is sent
        writer.Append(tenant, [Sample(1), Sample(2), Sample(3), Sample(4), Sample(5)]);
        Assert.Equal(3, RemoteWriter.Dropped(tenant, "full", "queue_full"));
    }

    private static RemoteWriter Writer(string url, string id, TimeSpan? maxRetry = null, int capacity = 100) => new(new RulerOptions
    {
        RemoteWrite = new RemoteWriteOptions
        {
            Enabled = true,
            Clients = new()
            {
                [id] = new RemoteWriteClientOptions
                {
                    Url = url,
                    QueueCapacity = capacity,
                    MinBackoff = TimeSpan.FromMilliseconds(10),
                    MaxBackoff = TimeSpan.FromMilliseconds(50),
                    MaxRetryDuration = maxRetry ?? TimeSpan.FromSeconds(30),
                    Headers = new() { ["X-Scope-OrgID"] = "spoofed" },
                },
            },
        },
    }, TimeProvider.System, NullLogger<RemoteWriter>.Instance);

    /// <summary>A receiver on a free loopback port answering <c>failStatus</c> to the first requests, then 204.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private Receiver(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";
        public int Requests => Volatile.Read(ref _requests);
        public TaskCompletionSource<(string Tenant, string Encoding, string Version, byte[] Body)> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Receiver> StartAsync(int failFirst, int failStatus)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/api/v1/write", async (HttpContext ctx) =>
            {
                var n = Interlocked.Increment(ref receiver._requests);
                using var ms = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(ms);
                if (n <= failFirst)
                {
                    return Results.StatusCode(failStatus);
                }
                receiver.Received.TrySetResult((ctx.Request.Headers["X-Scope-OrgID"].ToString(), ctx.Request.Headers.ContentEncoding.ToString(),
                    ctx.Request.Headers["X-Prometheus-Remote-Write-Version"].ToString(), ms.ToArray()));
                return Results.NoContent();
            });
            await app.StartAsync();
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/api/v1/write";
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
