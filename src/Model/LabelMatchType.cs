namespace Orleans.Loki.Model;

/// <summary>Label matcher operators.</summary>
public enum LabelMatchType
{
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>=~</c> (fully anchored)</summary>
    Regexp,
    /// <summary><c>!~</c> (fully anchored)</summary>
    NotRegexp,
}
