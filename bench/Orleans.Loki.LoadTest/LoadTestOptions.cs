using System.Globalization;

namespace Orleans.Loki.LoadTest;

/// <summary>Command-line options of the load test.</summary>
internal sealed record LoadTestOptions
{
    public string? Url { get; init; }
    public int SizeMb { get; init; } = 200;
    public int Streams { get; init; } = 100;
    public int Clients { get; init; } = 8;
    public bool Protobuf { get; init; }
    public int Seed { get; init; } = 20261126;

    /// <summary>Rate in MB/s of raw lines for the paced phase instead of half the measured full-speed rate.</summary>
    public double? PacedMb { get; init; }

    /// <summary>Share of the bodies pushed first at full speed and left out of the figures (the server's JIT warm-up).</summary>
    public double Warmup { get; init; } = 0.1;
    public int QueryRuns { get; init; } = 3;
    public string? ServerDll { get; init; }

    /// <summary><c>--server-env NAME=VALUE</c> (repeatable): variables added to the started server's environment.</summary>
    public IReadOnlyDictionary<string, string> ServerEnv { get; init; } = new Dictionary<string, string>();

    /// <summary><c>--server-yaml &lt;file&gt;</c>: top-level YAML blocks appended to the started server's config.</summary>
    public string? ServerYaml { get; init; }

    /// <summary><c>--server-dll</c>, or the Release build of src/Silo under <paramref name="repoRoot"/>.</summary>
    public string ServerDllPath(string repoRoot) =>
        ServerDll ?? Path.Combine(repoRoot, "src", "Silo", "bin", "Release", "net10.0", "orleans-loki.dll");
    public string? ResultsFile { get; init; }
    public bool SkipBaselines { get; init; }
    public bool SkipQueries { get; init; }
    public bool WritePath { get; init; }
    public bool NoTokenFilter { get; init; }
    public int ChunkRuns { get; init; }

    /// <summary>With a value: run only the cardinality benchmark with this many new streams per run (<see cref="CardinalityRunner"/>).</summary>
    public int? Cardinality { get; init; }
    public bool Replay { get; init; }
    public int ReplayMb { get; init; } = 1000;
    public int[] ReplayStreams { get; init; } = [100];
    public int ReplayRuns { get; init; } = 3;
    public bool Overload { get; init; }
    public int OverloadMinutes { get; init; } = 10;
    public int OverloadCapMb { get; init; } = 256;

    /// <summary>Raw MB/s asked during the overload; null: twice the sustainable rate measured first.</summary>
    public double? OverloadRateMb { get; init; }
    public K4os.Compression.LZ4.LZ4Level Lz4Level { get; init; } = new Orleans.Loki.Chunks.ChunkOptions().Level;

    public const string Usage = """
        Orleans.Loki.LoadTest [options]
          --url <http://host:port>  use a running server instead of starting src/Silo's Release build
          --server-dll <path>       orleans-loki.dll to start (default: src/Silo/bin/Release/net10.0/orleans-loki.dll)
          --server-env <NAME=VALUE> add a variable to the started server's environment, e.g. DOTNET_GCgen0size=0x2000000
                                    (repeatable; the load test process itself does not get it)
          --server-yaml <file>      append the file's top-level YAML blocks to the started server's config
                                    (e.g. an ingester: block; not with --cardinality or --replay)
          --size-mb <n>             corpus size in MiB of raw lines (default 200)
          --streams <n>             number of streams (default 100)
          --clients <n>             concurrent push clients (default 8)
          --format json|proto       push body encoding (default json)
          --seed <n>                corpus seed (default 20261126)
          --warmup <fraction>       share of the bodies pushed first and not measured, 0 to 0.5 (default 0.1)
          --paced-mb <MB/s>         pace the last 20% at this rate of raw lines instead of half the full-speed rate
          --query-runs <n>          runs per query; the median is reported (default 3)
          --results <path>          markdown file to update (default bench/RESULTS.md)
          --skip-baselines          do not run cat/lz4/grep
          --skip-queries            stop after ingest and flush (for profiling the write path)
          --write-path              only time the write path's stages in-process (no server) and exit
          --lz4-level <level>       with --write-path: chunk compression level, e.g. L00_FAST, L03_HC (default: the server's)
          --no-token-filter         with --write-path: cut blocks without token filters (to time and size them)
          --chunk-runs <n>          with --write-path: rerun only the chunk stages n times and print their median
          --cardinality [n]         only the cardinality benchmark: n brand-new streams per run (default 20000), 5 entries
                                    each, 1000 per push; new streams/s, server CPU per stream, a metric query over them
          --replay                  only benchmark the WAL replay after kill -9 (see bench/README.md) and exit
          --replay-mb <n>           with --replay: MiB of raw lines left unflushed (default 1000)
          --replay-streams <n,...>  with --replay: stream counts, one table row each (default 100)
          --overload                only the overload test against the memory cap (see bench/README.md) and exit
          --overload-minutes <n>    with --overload: minutes of overload (default 10)
          --overload-cap-mb <n>     with --overload: the server's ingester.max_unflushed_bytes in MiB (default 256)
          --overload-rate-mb <MB/s> with --overload: raw MB/s to push (default: 2x the rate measured in a 30 s probe)
          --replay-runs <n>         with --replay: kill/restart runs per stream count; the median is reported (default 3)
        """;

    /// <summary>Parses <paramref name="args"/>; returns false with a message for unknown or malformed options.</summary>
    public static bool TryParse(string[] args, out LoadTestOptions options, out string? error)
    {
        options = new LoadTestOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value");
            int NextInt() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new FormatException($"{name} needs a positive integer");
            try
            {
                options = name switch
                {
                    "--url" => options with { Url = Next().TrimEnd('/') },
                    "--server-dll" => options with { ServerDll = Next() },
                    "--server-env" => Next() is var pair && pair.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq
                        ? options with { ServerEnv = new Dictionary<string, string>(options.ServerEnv) { [pair[..eq]] = pair[(eq + 1)..] } }
                        : throw new FormatException("--server-env needs NAME=VALUE"),
                    "--server-yaml" => options with { ServerYaml = Next() },
                    "--size-mb" => options with { SizeMb = NextInt() },
                    "--streams" => options with { Streams = NextInt() },
                    "--clients" => options with { Clients = NextInt() },
                    "--format" => Next() switch
                    {
                        "json" => options with { Protobuf = false },
                        "proto" => options with { Protobuf = true },
                        var f => throw new FormatException($"--format must be json or proto, not {f}"),
                    },
                    "--seed" => options with { Seed = NextInt() },
                    "--paced-mb" => options with { PacedMb = double.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out var paced) && paced > 0 ? paced : throw new FormatException("--paced-mb must be a positive number") },
                    "--warmup" => options with { Warmup = double.TryParse(Next(), System.Globalization.CultureInfo.InvariantCulture, out var warmup) && warmup is >= 0 and <= 0.5 ? warmup : throw new FormatException("--warmup must be a fraction from 0 to 0.5") },
                    "--query-runs" => options with { QueryRuns = NextInt() },
                    "--results" => options with { ResultsFile = Next() },
                    "--skip-baselines" => options with { SkipBaselines = true },
                    "--skip-queries" => options with { SkipQueries = true },
                    "--write-path" => options with { WritePath = true },
                    "--no-token-filter" => options with { NoTokenFilter = true },
                    "--chunk-runs" => options with { ChunkRuns = NextInt() },
                    "--cardinality" => options with { Cardinality = i + 1 < args.Length && !args[i + 1].StartsWith('-') ? NextInt() : CardinalityRunner.DefaultStreams },
                    "--replay" => options with { Replay = true },
                    "--replay-mb" => options with { ReplayMb = NextInt() },
                    "--replay-streams" => options with { ReplayStreams = [.. Next().Split(',').Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException("--replay-streams needs positive integers separated by commas"))] },
                    "--overload" => options with { Overload = true },
                    "--overload-minutes" => options with { OverloadMinutes = NextInt() },
                    "--overload-cap-mb" => options with { OverloadCapMb = NextInt() },
                    "--overload-rate-mb" => options with { OverloadRateMb = double.TryParse(Next(), CultureInfo.InvariantCulture, out var overloadRate) && overloadRate > 0 ? overloadRate : throw new FormatException("--overload-rate-mb must be a positive number") },
                    "--replay-runs" => options with { ReplayRuns = NextInt() },
                    "--lz4-level" => options with { Lz4Level = Enum.TryParse<K4os.Compression.LZ4.LZ4Level>(Next(), out var level) ? level : throw new FormatException("--lz4-level must name a K4os LZ4Level") },
                    _ => throw new FormatException($"unknown option {name}"),
                };
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        return true;
    }
}
