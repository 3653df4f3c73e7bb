using System.Text;

namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary>Runs stages over one line and returns the outcome in comparable form.</summary>
internal static class Run
{
    public static KeyValuePair<string, string>[] Labels(params (string Name, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal).ToArray();

    public static (bool Kept, string Line, string Labels) Stages(string line, IStage[] stages, KeyValuePair<string, string>[]? stream = null, KeyValuePair<string, string>[]? metadata = null, long ts = 0)
    {
        var p = new Pipeline(stages).ForStream(stream ?? Labels(("app", "foo")));
        ReadOnlySpan<byte> span = Encoding.UTF8.GetBytes(line);
        var kept = p.Process(ts, ref span, metadata);
        return (kept, Encoding.UTF8.GetString(span), p.Labels.LabelsString());
    }

    public static (bool Kept, string Line, string Labels) Stage(string line, IStage stage, KeyValuePair<string, string>[]? stream = null) =>
        Stages(line, [stage], stream);

    public static bool Matches(LineFilter f, string line) => f.Matches(Encoding.UTF8.GetBytes(line));

    public static LineFilter Regex(string pattern)
    {
        Assert.True(LineFilter.TryRegex(pattern, out var f, out var error), error);
        return f;
    }

    public static LineFormatStage LineFormat(string template)
    {
        Assert.True(LineFormatStage.TryCreate(template, out var s, out var error), error);
        return s!;
    }

    public static string Format(string template, string line = "", long ts = 0, params (string, string)[] labels)
    {
        var (_, outLine, _) = Stages(line, [LineFormat(template)], Labels(labels), ts: ts);
        return outLine;
    }
}
