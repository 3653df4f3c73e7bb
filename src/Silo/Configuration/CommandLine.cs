namespace Orleans.Loki.Silo.Configuration;

/// <summary>
/// Loki-style flags: <c>-name=value</c>, <c>--name=value</c>, <c>-name value</c>, and bare boolean flags (<c>-auth.enabled</c>).
/// </summary>
public sealed class CommandLine
{
    /// <summary>Flags this binary understands, with whether they take a value.</summary>
    private static readonly Dictionary<string, bool> s_known = new(StringComparer.Ordinal)
    {
        ["config.file"] = true,
        ["config.expand-env"] = false,
        ["target"] = true,
        ["server.http-listen-port"] = true,
        ["server.http-listen-address"] = true,
        ["common.path-prefix"] = true,
        ["auth.enabled"] = false,
        ["log.level"] = true,
        ["help"] = false,
        ["version"] = false,
    };

    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public static IReadOnlyCollection<string> KnownFlags => s_known.Keys;

    /// <summary>Parses the arguments; returns false with an error for an unknown flag or a missing value.</summary>
    public static bool TryParse(string[] args, out CommandLine result, out string? error)
    {
        result = new CommandLine();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
            {
                error = $"unexpected argument '{arg}'";
                return false;
            }
            var body = arg.TrimStart('-');
            string name;
            string? value = null;
            var eq = body.IndexOf('=');
            if (eq >= 0)
            {
                name = body[..eq];
                value = body[(eq + 1)..];
            }
            else
            {
                name = body;
            }
            if (!s_known.TryGetValue(name, out var takesValue))
            {
                error = $"flag provided but not defined: -{name}";
                return false;
            }
            if (value is null)
            {
                if (!takesValue)
                {
                    value = "true";
                }
                else if (i + 1 < args.Length)
                {
                    value = args[++i];
                }
                else
                {
                    error = $"flag needs an argument: -{name}";
                    return false;
                }
            }
            result.Values[name] = value;
        }
        return true;
    }

    public string? Get(string name) => Values.TryGetValue(name, out var v) ? v : null;
}
