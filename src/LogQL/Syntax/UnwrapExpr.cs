using System.Text;

namespace Orleans.Loki.LogQL.Syntax;

/// <summary>Conversions of an unwrapped label value.</summary>
public enum UnwrapConversion
{
    /// <summary>Parse as a float.</summary>
    None,
    /// <summary><c>bytes(label)</c></summary>
    Bytes,
    /// <summary><c>duration(label)</c> (seconds)</summary>
    Duration,
    /// <summary><c>duration_seconds(label)</c></summary>
    DurationSeconds,
}

/// <summary><c>| unwrap [conv(]label[)]</c> with its post-filters (<c>| __error__=""</c>).</summary>
public sealed record UnwrapExpr(string Identifier, UnwrapConversion Conversion, ValueList<LabelFilter> PostFilters)
{
    /// <summary>The conversion's function name, or "" for none.</summary>
    public static string ConversionName(UnwrapConversion c) => c switch
    {
        UnwrapConversion.Bytes => "bytes",
        UnwrapConversion.Duration => "duration",
        UnwrapConversion.DurationSeconds => "duration_seconds",
        _ => "",
    };

    /// <summary>Appends the canonical text (with a leading space, as Loki prints it after the pipeline).</summary>
    public void WriteTo(StringBuilder sb)
    {
        sb.Append(" | unwrap ");
        if (Conversion == UnwrapConversion.None)
        {
            sb.Append(Identifier);
        }
        else
        {
            sb.Append(ConversionName(Conversion)).Append('(').Append(Identifier).Append(')');
        }
        foreach (var f in PostFilters)
        {
            sb.Append(" | ");
            f.WriteTo(sb);
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        WriteTo(sb);
        return sb.ToString();
    }
}
