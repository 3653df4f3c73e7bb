namespace Orleans.Loki.LogQL.Log;

/// <summary>Syntax tree of a Go RE2 expression, used to render a .NET pattern and to extract literals.</summary>
internal abstract record RegexNode;

/// <summary>One literal character (a UTF-16 unit or surrogate pair as string).</summary>
internal sealed record RegexLiteral(string Text, bool IgnoreCase) : RegexNode;

/// <summary>Anything that consumes characters but is not a literal: <c>.</c>, classes.</summary>
internal sealed record RegexSet(string DotNet) : RegexNode;

/// <summary>Zero-width assertions (<c>^ $ \A \z \b \B</c>).</summary>
internal sealed record RegexAssertion(string DotNet) : RegexNode;

/// <summary>Inline flag change such as <c>(?i)</c>, rendered as is (without Go's U flag).</summary>
internal sealed record RegexFlags(string DotNet) : RegexNode;

internal sealed record RegexConcat(IReadOnlyList<RegexNode> Items) : RegexNode;

internal sealed record RegexAlternate(IReadOnlyList<RegexNode> Items) : RegexNode;

internal sealed record RegexRepeat(RegexNode Item, int Min, int Max, bool Greedy) : RegexNode;

/// <summary>A group: capturing (optionally named), non-capturing, or with scoped flags (<c>(?i:...)</c>).</summary>
internal sealed record RegexGroup(RegexNode Item, bool Capturing, string? Name, string? Flags) : RegexNode;
