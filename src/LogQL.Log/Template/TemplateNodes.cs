namespace Orleans.Loki.LogQL.Log.Template;

/// <summary>Parsed Go text/template tree.</summary>
internal abstract record TNode;

internal sealed record TText(string Text) : TNode;

internal sealed record TAction(TPipe Pipe) : TNode;

internal sealed record TIf(TPipe Pipe, IReadOnlyList<TNode> Then, IReadOnlyList<TNode>? Else) : TNode;

internal sealed record TWith(TPipe Pipe, IReadOnlyList<TNode> Then, IReadOnlyList<TNode>? Else) : TNode;

internal sealed record TRange(TPipe Pipe, IReadOnlyList<TNode> Body, IReadOnlyList<TNode>? Else) : TNode;

internal sealed record TBreak : TNode;

internal sealed record TContinue : TNode;

/// <summary>A pipeline: optional variable declaration/assignment, then commands joined by '|'.</summary>
internal sealed record TPipe(IReadOnlyList<string> Vars, bool IsAssign, IReadOnlyList<TCommand> Commands, string Source);

internal sealed record TCommand(IReadOnlyList<TArg> Args);

internal abstract record TArg;

/// <summary><c>.</c> or <c>.a.b</c>.</summary>
internal sealed record TField(IReadOnlyList<string> Path) : TArg;

/// <summary><c>$</c>, <c>$x</c>, <c>$x.a</c>.</summary>
internal sealed record TVariable(string Name, IReadOnlyList<string> Path) : TArg;

internal sealed record TFunction(string Name) : TArg;

internal sealed record TConstant(object? Value) : TArg;

/// <summary><c>(pipeline).a.b</c>.</summary>
internal sealed record TSubPipe(TPipe Pipe, IReadOnlyList<string> Path) : TArg;
