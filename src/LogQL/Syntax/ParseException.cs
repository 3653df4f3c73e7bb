namespace Orleans.Loki.LogQL.Syntax;

/// <summary>
/// A LogQL query that does not parse or is semantically invalid. <see cref="Exception.Message"/> is the full text as Loki
/// reports it: <c>parse error at line L, col C: msg</c>, or <c>parse error : msg</c> for errors found after parsing
/// (line and column 0).
/// </summary>
public sealed class ParseException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/> at a position (0, 0 for semantic errors).</summary>
    public ParseException(string error, int line, int column)
        : base(Format(error, line, column))
    {
        Error = error;
        Line = line;
        Column = column;
    }

    /// <summary>The message without the position prefix.</summary>
    public string Error { get; }

    /// <summary>1-based line of the offending token; 0 for semantic errors.</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending token; 0 for semantic errors.</summary>
    public int Column { get; }

    private static string Format(string error, int line, int column) =>
        line == 0 && column == 0 ? $"parse error : {error}" : $"parse error at line {line}, col {column}: {error}";
}
