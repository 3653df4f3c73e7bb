using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>
/// A Prometheus alerting-rule template (labels and annotations): Go text/template over the data Prometheus gives
/// (<c>.Labels</c>, <c>.ExternalLabels</c>, <c>.ExternalURL</c>, <c>.Value</c>), with Prometheus' variable definitions
/// (<c>$labels</c>, <c>$externalLabels</c>, <c>$externalURL</c>, <c>$value</c>) prepended exactly as Prometheus does,
/// Loki's template functions and Prometheus' own (<c>humanize</c>, <c>humanize1024</c>, <c>humanizeDuration</c>,
/// <c>humanizePercentage</c>, <c>humanizeTimestamp</c>, <c>toUpper</c>, <c>toLower</c>, <c>match</c>,
/// <c>reReplaceAll</c>, <c>stripPort</c>, <c>safeHtml</c>).
/// </summary>
public sealed class AlertTemplate
{
    private const string Definitions = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}";

    private static readonly Dictionary<string, TemplateFunctions.Func> s_functions = BuildFunctions();

    private readonly GoTemplate? _template;
    private readonly string? _constant;

    private AlertTemplate(GoTemplate? template, string? constant)
    {
        _template = template;
        _constant = constant;
    }

    /// <summary>Compiles <paramref name="text"/>; false with Go's parse error text when it does not parse.</summary>
    public static bool TryParse(string text, string name, out AlertTemplate? template, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            template = new AlertTemplate(null, text);
            error = null;
            return true;
        }
        if (!GoTemplate.TryParse(Definitions + text, name, s_functions, out var compiled, out error))
        {
            template = null;
            return false;
        }
        template = new AlertTemplate(compiled, null);
        return true;
    }

    /// <summary>
    /// Expands the template; a failure gives Prometheus' <c>&lt;error expanding template: ...&gt;</c> text as the result,
    /// as Prometheus sends it.
    /// </summary>
    public string Expand(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> externalLabels, string externalUrl, double value)
    {
        if (_constant is not null)
        {
            return _constant;
        }
        var root = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Labels"] = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            ["ExternalLabels"] = new Dictionary<string, string>(externalLabels, StringComparer.Ordinal),
            ["ExternalURL"] = externalUrl,
            ["Value"] = value,
        };
        var output = new StringBuilder();
        return _template!.TryExecute(root, output, out var error) ? output.ToString() : $"<error expanding template: {error}>";
    }

    private static Dictionary<string, TemplateFunctions.Func> BuildFunctions()
    {
        var t = new Dictionary<string, TemplateFunctions.Func>(StringComparer.Ordinal);
        void Add(string name, int min, int max, Func<object?[], object?> f) => t[name] = new TemplateFunctions.Func(min, max, (_, a) => f(a));
        Add("humanize", 1, 1, a => Humanize(ToFloat(a[0])));
        Add("humanize1024", 1, 1, a => Humanize1024(ToFloat(a[0])));
        Add("humanizeDuration", 1, 1, a => HumanizeDuration(ToFloat(a[0])));
        Add("humanizePercentage", 1, 1, a => G4(ToFloat(a[0]) * 100) + "%");
        Add("humanizeTimestamp", 1, 1, a => HumanizeTimestamp(ToFloat(a[0])));
        Add("toUpper", 1, 1, a => TemplateFunctions.Str(a, 0).ToUpperInvariant());
        Add("toLower", 1, 1, a => TemplateFunctions.Str(a, 0).ToLowerInvariant());
        Add("match", 2, 2, a => Regex.IsMatch(TemplateFunctions.Str(a, 1), TemplateFunctions.Str(a, 0), RegexOptions.None, TimeSpan.FromSeconds(1)));
        Add("reReplaceAll", 3, 3, a => Regex.Replace(TemplateFunctions.Str(a, 2), TemplateFunctions.Str(a, 0), TemplateFunctions.Str(a, 1), RegexOptions.None, TimeSpan.FromSeconds(1)));
        Add("stripPort", 1, 1, a => StripPort(TemplateFunctions.Str(a, 0)));
        Add("safeHtml", 1, 1, a => TemplateFunctions.Str(a, 0));
        return t;
    }

    private static double ToFloat(object? v) => v switch
    {
        double d => d,
        long l => l,
        int i => i,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        string s => throw new TemplateException($"strconv.ParseFloat: parsing \"{s}\": invalid syntax"),
        var other => throw new TemplateException($"can't convert {GoValues.TypeName(other)} to float"),
    };

    private static string G4(double v) => GoFmt.Sprintf("%.4g", [v]);

    private static string Humanize(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v);
        }
        var prefix = "";
        if (Math.Abs(v) >= 1)
        {
            foreach (var p in (string[])["k", "M", "G", "T", "P", "E", "Z", "Y"])
            {
                if (Math.Abs(v) < 1000)
                {
                    break;
                }
                prefix = p;
                v /= 1000;
            }
            return G4(v) + prefix;
        }
        foreach (var p in (string[])["m", "u", "n", "p", "f", "a", "z", "y"])
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return G4(v) + prefix;
    }

    private static string Humanize1024(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v);
        }
        var prefix = "";
        foreach (var p in (string[])["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"])
        {
            if (Math.Abs(v) < 1024)
            {
                break;
            }
            prefix = p;
            v /= 1024;
        }
        return G4(v) + prefix;
    }

    private static string HumanizeDuration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v);
        }
        if (v == 0)
        {
            return G4(v) + "s";
        }
        if (Math.Abs(v) >= 1)
        {
            var sign = "";
            if (v < 0)
            {
                sign = "-";
                v = -v;
            }
            var duration = (long)v;
            var seconds = duration % 60;
            var minutes = duration / 60 % 60;
            var hours = duration / 60 / 60 % 24;
            var days = duration / 60 / 60 / 24;
            var inv = CultureInfo.InvariantCulture;
            if (days != 0)
            {
                return string.Create(inv, $"{sign}{days}d {hours}h {minutes}m {seconds}s");
            }
            if (hours != 0)
            {
                return string.Create(inv, $"{sign}{hours}h {minutes}m {seconds}s");
            }
            if (minutes != 0)
            {
                return string.Create(inv, $"{sign}{minutes}m {seconds}s");
            }
            return sign + G4(v) + "s";
        }
        var prefix = "";
        foreach (var p in (string[])["m", "u", "n", "p", "f", "a", "z", "y"])
        {
            if (Math.Abs(v) >= 1)
            {
                break;
            }
            prefix = p;
            v *= 1000;
        }
        return G4(v) + prefix + "s";
    }

    private static string HumanizeTimestamp(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
        {
            return G4(v);
        }
        var t = DateTimeOffset.UnixEpoch.AddTicks((long)(v * TimeSpan.TicksPerSecond));
        // Go's time.Time String(): "2006-01-02 15:04:05.999999999 -0700 MST".
        var fraction = t.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + " +0000 UTC";
    }

    private static string StripPort(string hostPort)
    {
        if (hostPort.StartsWith('[') && hostPort.IndexOf(']') is var end and > 0)
        {
            return hostPort[1..end];
        }
        var colon = hostPort.LastIndexOf(':');
        return colon < 0 || hostPort.IndexOf(':') != colon ? hostPort : hostPort[..colon];
    }
}
