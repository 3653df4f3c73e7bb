namespace Orleans.Loki.LogQL.Syntax;

/// <summary>A parser parameter <c>name="expression"</c> (json path or logfmt key); a bare <c>name</c> extracts itself.</summary>
public sealed record LabelExtraction(string Identifier, string Expression);
