using Orleans.Loki.Silo;
using Orleans.Loki.Silo.Configuration;

if (!CommandLine.TryParse(args, out var flags, out var flagError))
{
    Console.Error.WriteLine(flagError);
    return 2;
}
if (flags.Get("help") is not null)
{
    Console.WriteLine("Usage: orleans-loki [-config.file=<yaml>] [-target=all|write|read|backend] [-server.http-listen-port=3100] [-common.path-prefix=./data] [-auth.enabled]");
    return 0;
}
if (flags.Get("version") is not null)
{
    Console.WriteLine($"orleans-loki, version {BuildInfo.Version}");
    return 0;
}

LokiSettings settings;
try
{
    settings = ConfigLoader.Load(flags);
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"error loading config: {e.Message}");
    return 1;
}

var app = await LokiHost.BuildAsync(settings);
// One line on stdout with the bound address (the port is the OS's choice when -server.http-listen-port=0).
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"orleans-loki {BuildInfo.Version} listening on {string.Join(", ", app.Urls)}"));
await app.RunAsync();
return 0;
