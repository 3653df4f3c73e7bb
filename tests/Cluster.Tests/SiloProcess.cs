using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orleans.Loki.Cluster.Tests;

/// <summary>
/// One real binary of a multi-process cluster: its target, free loopback ports (HTTP, silo, gateway) and a config
/// file pointing at the shared Azure storage (table membership, blob objects).
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private SiloProcess(string target, string configFile, int httpPort)
    {
        Target = target;
        ConfigFile = configFile;
        HttpPort = httpPort;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Target { get; }
    public string ConfigFile { get; }
    public int HttpPort { get; }
    public HttpClient Client { get; }
    public bool Running => _process is { HasExited: false };

    /// <summary>The process id while it runs (benchmarks read its CPU time).</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>A single-process (<c>all</c>) binary on localhost clustering with the given storage YAML.</summary>
    public static SiloProcess CreateStandalone(string storageYaml)
    {
        var httpPort = FreePort();
        var config = Path.Combine(Path.GetTempPath(), $"loki-standalone-{httpPort}.yaml");
        File.WriteAllText(config, $"""
            server:
              http_listen_address: 127.0.0.1
              http_listen_port: {httpPort}
            cluster:
              silo_port: {FreePort()}
              gateway_port: {FreePort()}
            {storageYaml}
            """);
        return new SiloProcess("all", config, httpPort);
    }

    /// <summary>A process of a cluster on the shared Azure storage; <paramref name="extraYaml"/> is appended to its config.</summary>
    public static SiloProcess Create(string target, string connectionString, string container, string clusterId, string extraYaml = "")
    {
        var httpPort = FreePort();
        var config = Path.Combine(Path.GetTempPath(), $"loki-cluster-{clusterId}-{target}-{httpPort}.yaml");
        File.WriteAllText(config, $"""
            target: {target}
            server:
              http_listen_address: 127.0.0.1
              http_listen_port: {httpPort}
            storage_config:
              azure:
                connection_string: "{connectionString}"
                container_name: {container}
            cluster:
              provider: azure_table
              cluster_id: {clusterId}
              service_id: {clusterId}
              advertised_address: 127.0.0.1
              silo_port: {FreePort()}
              gateway_port: {FreePort()}
            {extraYaml}
            """);
        return new SiloProcess(target, config, httpPort);
    }

    /// <summary>Starts the binary and waits until <c>/ready</c> answers 200.</summary>
    public async Task StartAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "orleans-loki.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add($"-config.file={ConfigFile}");
        // Two cores for five processes: workstation GC keeps each one small.
        info.Environment["DOTNET_gcServer"] = "0";
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start the binary");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Target} exited with {_process.ExitCode} during start-up:\n{Output}");
            }
            try
            {
                using var response = await Client.GetAsync("/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMilliseconds(250)).Token).ContinueWith(_ => { });
        }
        throw new TimeoutException($"{Target} not ready on port {HttpPort} within 90 s:\n{Output}");
    }

    /// <summary>SIGKILL: no flush, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        Client.Dispose();
        File.Delete(ConfigFile);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
