using System.Diagnostics;
using System.Net;
using System.Text;

namespace Orleans.Loki.Testing;

/// <summary>
/// The real binary, started as the README says (<c>orleans-loki -common.path-prefix=... -server.http-listen-port=...</c>),
/// with its own data directory. HTTP binds port 0 on the first start and the port the binary reports on stdout is read
/// back (restarts reuse it); Orleans' ports come from <see cref="Ports.Free"/>.
/// </summary>
public sealed class LokiProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HttpClient? _client;

    private LokiProcess(string dataDir, string configFile)
    {
        DataDir = dataDir;
        ConfigFile = configFile;
    }

    public string DataDir { get; }
    public string ConfigFile { get; }

    /// <summary>The HTTP port, known once the first start reported it.</summary>
    public int HttpPort { get; private set; }

    public HttpClient Client => _client ?? throw new InvalidOperationException("not started");
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    /// <summary>Creates a data directory and a config file (extra YAML appended) and starts the process.</summary>
    public static async Task<LokiProcess> StartAsync(string extraYaml = "", string? dataDir = null)
    {
        dataDir ??= Path.Combine(Path.GetTempPath(), "loki-e2e-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dataDir);
        var config = Path.Combine(dataDir, "..", Path.GetFileName(dataDir) + ".yaml");
        await File.WriteAllTextAsync(config, $"""
            server:
              http_listen_address: 127.0.0.1
            cluster:
              silo_port: {Ports.Free()}
              gateway_port: {Ports.Free()}
            {extraYaml}
            """);
        var process = new LokiProcess(dataDir, config);
        await process.LaunchAsync();
        return process;
    }

    /// <summary>Starts the binary again on the same data directory and ports (after a kill or stop).</summary>
    public async Task RestartAsync() => await LaunchAsync();

    private async Task LaunchAsync()
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
        info.ArgumentList.Add($"-common.path-prefix={DataDir}");
        info.ArgumentList.Add($"-server.http-listen-port={HttpPort}");
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start the binary");
        _process.OutputDataReceived += (_, e) => { Append(e.Data); Announced(e.Data); };
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        if (HttpPort == 0)
        {
            var exited = _process.WaitForExitAsync();
            var first = await Task.WhenAny(_listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
            if (first != _listening.Task)
            {
                throw new InvalidOperationException($"binary did not report its HTTP port (exited: {_process.HasExited}):\n{Output}");
            }
            HttpPort = await _listening.Task;
            _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"binary exited with {_process.ExitCode} during start-up:\n{Output}");
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
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMilliseconds(200)).Token).ContinueWith(_ => { });
        }
        throw new TimeoutException($"binary not ready on port {HttpPort} within 60 s:\n{Output}");
    }

    /// <summary>Resident set size of the running binary (VmRSS), in bytes.</summary>
    public long RssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process!.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>SIGKILL: no flush, no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        _process!.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _client?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
            File.Delete(ConfigFile);
        }
        catch (IOException)
        {
            // best effort: temp files
        }
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

    private void Announced(string? line)
    {
        // "orleans-loki <version> listening on http://127.0.0.1:<port>"
        const string marker = " listening on http://";
        var at = line?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return;
        }
        var address = line![(at + marker.Length - "http://".Length)..].Split(',')[0].Trim();
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            _listening.TrySetResult(uri.Port);
        }
    }
}
