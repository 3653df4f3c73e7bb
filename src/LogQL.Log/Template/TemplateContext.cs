using System.Text;

namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>Per-execution state: data, current line and timestamp, output buffer and resource budget.</summary>
internal sealed class TemplateContext
{
    /// <summary>Largest output one execution may produce (hostile templates must not allocate without bound).</summary>
    public const int MaxOutputChars = 1 << 20;

    /// <summary>Evaluation steps (commands, nodes, loop iterations) one execution may take.</summary>
    public const int MaxSteps = 100_000;

    public TemplateContext(Dictionary<string, string> data, string line, long timestampNs, StringBuilder output)
    {
        Data = data;
        Line = line;
        TimestampNs = timestampNs;
        Output = output;
    }

    public Dictionary<string, string> Data { get; }

    public string Line { get; }

    public long TimestampNs { get; }

    public StringBuilder Output { get; }

    public int Steps { get; private set; }

    public void Step()
    {
        if (++Steps > MaxSteps)
        {
            throw new TemplateException("template: execution exceeded the step limit");
        }
    }

    /// <summary>Fails before allocating a string longer than the output bound.</summary>
    public static void CheckSize(long chars)
    {
        if (chars > MaxOutputChars)
        {
            throw new TemplateException("template: output exceeds the size limit");
        }
    }
}
