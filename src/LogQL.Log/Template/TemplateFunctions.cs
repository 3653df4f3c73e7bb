using System.Globalization;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>The functions available to line_format/label_format templates: Go builtins, Loki's own and its sprig subset.</summary>
internal static partial class TemplateFunctions
{
    internal sealed record Func(int Min, int Max, Func<TemplateContext, object?[], object?> Invoke);

    private static readonly Dictionary<string, Func> Table = Build();

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(Table.Keys, StringComparer.Ordinal);

    public static Func Get(string name) => Table[name];

    private static Dictionary<string, Func> Build()
    {
        var t = new Dictionary<string, Func>(StringComparer.Ordinal);
        AddBuiltins(t);
        AddStrings(t);
        AddMath(t);
        AddTime(t);
        AddEncoding(t);
        return t;
    }

    private static void Add(Dictionary<string, Func> t, string name, int min, int max, Func<TemplateContext, object?[], object?> f) =>
        t[name] = new Func(min, max, f);

    // ---- argument conversion with Go's reflect-call strictness ----

    internal static string Str(object?[] a, int i) => a[i] switch
    {
        string s => s,
        var v => throw new TemplateException($"wrong type for value; expected string; got {GoValues.TypeName(v)}"),
    };

    internal static int Int(object?[] a, int i) => a[i] switch
    {
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        double d when d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        var v => throw new TemplateException($"wrong type for value; expected int; got {GoValues.TypeName(v)}"),
    };

    internal static GoTime Time(object?[] a, int i) => a[i] switch
    {
        GoTime t => t,
        var v => throw new TemplateException($"wrong type for value; expected time.Time; got {GoValues.TypeName(v)}"),
    };

    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static void AddBuiltins(Dictionary<string, Func> t)
    {
        // and/or are short-circuited by the executor; the entries make the names known to the parser.
        Add(t, "and", 1, -1, static (_, a) => a[^1]);
        Add(t, "or", 1, -1, static (_, a) => a[^1]);
        Add(t, "not", 1, 1, static (_, a) => !GoValues.IsTrue(a[0]));
        Add(t, "len", 1, 1, static (_, a) => (long)GoTemplate.CountOf(a[0]));
        Add(t, "index", 1, -1, static (_, a) => Index(a));
        Add(t, "slice", 1, 3, static (_, a) => Slice(a));
        Add(t, "print", 0, -1, static (_, a) => GoFmt.Sprint(a));
        Add(t, "println", 0, -1, static (_, a) => GoFmt.Sprintln(a));
        Add(t, "printf", 1, -1, static (_, a) => GoFmt.Sprintf(Str(a, 0), a.AsSpan(1)));
        Add(t, "urlquery", 0, -1, static (_, a) => Uri.EscapeDataString(GoFmt.Sprint(a)).Replace("%20", "+", StringComparison.Ordinal));
        Add(t, "html", 0, -1, static (_, a) => System.Net.WebUtility.HtmlEncode(GoFmt.Sprint(a)));
        Add(t, "js", 0, -1, static (_, a) => System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(GoFmt.Sprint(a)));
        foreach (var op in new[] { "eq", "ne", "lt", "le", "gt", "ge" })
        {
            var name = op;
            Add(t, name, name == "eq" ? 1 : 2, name == "eq" ? -1 : 2, (_, a) => Comparison(name, a));
        }
        Add(t, "__line__", 0, 0, static (c, _) => c.Line);
        Add(t, "__timestamp__", 0, 0, static (c, _) => GoTime.FromUnixNanos(c.TimestampNs));
    }

    private static object Comparison(string op, object?[] a)
    {
        if (op == "eq")
        {
            if (a.Length < 2)
            {
                throw new TemplateException("missing argument for comparison");
            }
            for (var i = 1; i < a.Length; i++)
            {
                if (GoValues.Compare(a[0], a[i], "eq") == 0)
                {
                    return true;
                }
            }
            return false;
        }
        var c = GoValues.Compare(a[0], a[1], op);
        return op switch
        {
            "ne" => c != 0,
            "lt" => c < 0,
            "le" => c <= 0,
            "gt" => c > 0,
            _ => c >= 0,
        };
    }

    private static object? Index(object?[] a)
    {
        var v = a[0];
        for (var i = 1; i < a.Length; i++)
        {
            v = (v, a[i]) switch
            {
                (Dictionary<string, string> m, string k) => m.TryGetValue(k, out var s) ? s : "",
                (Dictionary<string, object?> m, string k) => m.TryGetValue(k, out var o) ? o : null,
                (List<object?> l, long k) => k >= 0 && k < l.Count ? l[(int)k] : throw new TemplateException($"index out of range: {k}"),
                (string s, long k) => k >= 0 && k < s.Length ? (long)s[(int)k] : throw new TemplateException($"index out of range: {k}"),
                (null, _) => throw new TemplateException("index of untyped nil"),
                _ => throw new TemplateException($"can't index item of type {GoValues.TypeName(v)}"),
            };
        }
        return v;
    }

    private static object? Slice(object?[] a)
    {
        var from = a.Length > 1 ? Int(a, 1) : 0;
        switch (a[0])
        {
            case string s:
            {
                var to = a.Length > 2 ? Int(a, 2) : s.Length;
                if (from < 0 || to > s.Length || from > to)
                {
                    throw new TemplateException($"index out of range: {to}");
                }
                return s[from..to];
            }
            case List<object?> l:
            {
                var to = a.Length > 2 ? Int(a, 2) : l.Count;
                if (from < 0 || to > l.Count || from > to)
                {
                    throw new TemplateException($"index out of range: {to}");
                }
                return l.GetRange(from, to - from);
            }
            default:
                throw new TemplateException($"can't slice item of type {GoValues.TypeName(a[0])}");
        }
    }
}
