namespace Orleans.Loki.Model;

/// <summary>Syntax tree of a Go RE2 expression, used to render a .NET pattern and to extract literals.</summary>
public abstract record RegexNode;

/// <summary>One literal character (a UTF-16 unit or surrogate pair as string).</summary>
public sealed record RegexLiteral(string Text, bool IgnoreCase) : RegexNode;

/// <summary>Anything that consumes characters but is not a literal: <c>.</c>, classes.</summary>
public sealed record RegexSet(string DotNet) : RegexNode;

/// <summary>Zero-width assertions (<c>^ $ \A \z \b \B</c>).</summary>
public sealed record RegexAssertion(string DotNet) : RegexNode;

/// <summary>Inline flag change such as <c>(?i)</c>, rendered as is (without Go's U flag).</summary>
public sealed record RegexFlags(string DotNet) : RegexNode;

public sealed record RegexConcat(IReadOnlyList<RegexNode> Items) : RegexNode;

public sealed record RegexAlternate(IReadOnlyList<RegexNode> Items) : RegexNode;

public sealed record RegexRepeat(RegexNode Item, int Min, int Max, bool Greedy) : RegexNode;

/// <summary>A group: capturing (optionally named), non-capturing, or with scoped flags (<c>(?i:...)</c>).</summary>
public sealed record RegexGroup(RegexNode Item, bool Capturing, string? Name, string? Flags) : RegexNode;
