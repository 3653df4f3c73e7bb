namespace Orleans.Loki.LogQL.Log;

/// <summary>A literal every matching line must contain.</summary>
/// <param name="Value">The literal text.</param>
/// <param name="IgnoreCase">True when the line may contain it in any letter case.</param>
public readonly record struct RequiredLiteral(string Value, bool IgnoreCase);
