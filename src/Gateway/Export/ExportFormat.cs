namespace Orleans.Loki.Gateway.Export;

/// <summary>How exported entries are written.</summary>
public enum ExportFormat
{
    /// <summary>One JSON object per line: <c>{"timestamp":"&lt;ns&gt;","labels":{…},"line":"…"}</c>.</summary>
    Ndjson,

    /// <summary>The lines only, each followed by <c>\n</c>.</summary>
    Text,
}
