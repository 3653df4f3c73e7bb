using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Orleans.Loki.LoadTest;

/// <summary>
/// The real server binary (<c>dotnet orleans-loki.dll</c>) on free loopback ports with a fresh data directory.
/// Its output goes to a log file next to the data directory, shown when start-up fails.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private bool _killed;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, StreamWriter log, string root, string dataDir, int httpPort)
    {
        _process = process;
        _log = log;
        Root = root;
        DataDir = dataDir;
        HttpPort = httpPort;
        Url = $"http://127.0.0.1:{httpPort}";
    }

    /// <summary>Temp folder holding the data directory, the config and the log.</summary>
    public string Root { get; }

    /// <summary>The server's <c>-common.path-prefix</c>.</summary>
    public string DataDir { get; }

    /// <summary>Base URL of the HTTP API.</summary>
    public string Url { get; }

    /// <summary>Port of the HTTP API.</summary>
    public int HttpPort { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>OS process id (for /proc/&lt;pid&gt;/status).</summary>
    public int Pid => _process.Id;

    /// <summary>
    /// Starts the binary and waits (up to 60 s) until <c>/ready</c> answers 200, unless <paramref name="waitReady"/> is
    /// false. <paramref name="extraConfig"/> is appended to the config file (top-level YAML blocks);
    /// <paramref name="restartOf"/> starts on the data directory of a server that was killed (same ports);
    /// <paramref name="environment"/> adds variables to the server's environment (e.g. <c>DOTNET_GCgen0size</c>).
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dll, HttpClient probe, string? extraConfig = null, ServerProcess? restartOf = null, bool waitReady = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"server binary not found: {dll} (build it with `dotnet build -c Release src/Silo`)");
        }

        var root = restartOf?.Root ?? Path.Combine(Path.GetTempPath(), "loki-loadtest-" + Guid.NewGuid().ToString("n")[..8]);
        var dataDir = Path.Combine(root, "data");
        Directory.CreateDirectory(dataDir);
        var httpPort = restartOf?.HttpPort ?? FreePort();
        var config = Path.Combine(root, "config.yaml");
        if (restartOf is null)
        {
            await File.WriteAllTextAsync(config, $"""
            server:
              http_listen_address: 127.0.0.1
            cluster:
              silo_port: {FreePort()}
              gateway_port: {FreePort()}
            limits_config:
              reject_old_samples: false
              # The load test measures the server, not the per-tenant limits: lift them.
              ingestion_rate_mb: 1000000
              ingestion_burst_size_mb: 1000000
              per_stream_rate_limit: 1000GB
              per_stream_rate_limit_burst: 1000GB
              max_global_streams_per_user: 0
            """ + "\n" + (extraConfig ?? "")).ConfigureAwait(false);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add($"-config.file={config}");
        info.ArgumentList.Add($"-common.path-prefix={dataDir}");
        info.ArgumentList.Add($"-server.http-listen-port={httpPort.ToString(CultureInfo.InvariantCulture)}");
        info.ArgumentList.Add("-log.level=warn");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        var log = new StreamWriter(Path.Combine(root, "server.log"), append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        process.OutputDataReceived += (_, e) => WriteLog(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLog(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, log, root, dataDir, httpPort);
        if (!waitReady)
        {
            return server;
        }

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                var exitCode = process.ExitCode;
                var output = File.ReadAllText(Path.Combine(root, "server.log"));
                await server.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"server exited with {exitCode} during start-up: {IngestRunner.Truncate(output)}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri(server.Url + "/ready")).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        await server.DisposeAsync().ConfigureAwait(false);
        throw new TimeoutException("server not ready within 60 s");
    }

    /// <summary>Peak resident set size (VmHWM) in bytes, or null when /proc is unavailable.</summary>
    public long? PeakRssBytes() => ReadStatusKb("VmHWM:") * 1024;

    /// <summary>User plus system CPU seconds the server has used so far, or null when /proc is unavailable.</summary>
    public double? CpuSeconds()
    {
        try
        {
            // Fields after the parenthesised command name: state is field 3, utime 14, stime 15 (clock ticks, 100 Hz on Linux).
            var stat = File.ReadAllText($"/proc/{Pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Current resident set size (VmRSS) in bytes, or null when /proc is unavailable.</summary>
    public long? RssBytes() => ReadStatusKb("VmRSS:") * 1024;

    /// <summary>Kills the server with SIGKILL (no shutdown, as after a crash) and keeps its data directory.</summary>
    public async Task KillAsync()
    {
        if (_killed)
        {
            return;
        }

        _killed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    /// <summary>Stops the server (SIGKILL: its data is thrown away) and deletes the temp folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        Directory.Delete(Root, recursive: true);
    }

    private long? ReadStatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or the process is gone.
        }

        return null;
    }

    private static void WriteLog(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream is not null)
            {
                log.WriteLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
