namespace Orleans.Loki.Gateway.Patterns;

/// <summary>
/// One token of a line: a word (a run of non-space, non-delimiter characters) or a single delimiter character, with
/// whether whitespace preceded it, so that a pattern re-joins tokens exactly as the line had them.
/// </summary>
internal readonly record struct PatternToken(string Text, bool SpaceBefore, bool IsDelimiter)
{
    /// <summary>Loki's placeholder for a variable part of a pattern (the LogQL pattern parser's unnamed capture).</summary>
    public const string Placeholder = "<_>";

    public bool IsPlaceholder => !IsDelimiter && ReferenceEquals(Text, Placeholder);

    public PatternToken AsPlaceholder() => new(Placeholder, SpaceBefore, false);
}
