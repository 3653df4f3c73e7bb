using System.Collections;

namespace Orleans.Loki.LogQL.Log.Template;

internal sealed partial class GoTemplate
{
    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    private sealed class Executor(TemplateContext ctx, string name, object? root, IReadOnlyDictionary<string, TemplateFunctions.Func>? extra)
    {
        private const int MaxRangeIterations = 10_000;
        private readonly List<(string Name, object? Value)> _vars = [("$", root)];

        private TemplateException Fail(TPipe pipe, string message) =>
            new($"template: {name}:1: executing \"{name}\" at {TemplateParser.Describe(pipe)}: {message}");

        public Flow ExecList(IReadOnlyList<TNode> nodes, object? dot)
        {
            foreach (var node in nodes)
            {
                ctx.Step();
                var flow = Exec(node, dot);
                if (flow != Flow.Normal)
                {
                    return flow;
                }
            }
            return Flow.Normal;
        }

        private Flow Exec(TNode node, object? dot)
        {
            switch (node)
            {
                case TText t:
                    Append(t.Text);
                    return Flow.Normal;
                case TAction a:
                {
                    var v = EvalPipe(a.Pipe, dot, declare: true);
                    if (a.Pipe.Vars.Count == 0)
                    {
                        Append(GoValues.Print(v));
                    }
                    return Flow.Normal;
                }
                case TIf i:
                    return Scoped(() => GoValues.IsTrue(EvalPipe(i.Pipe, dot, declare: true)) ? ExecList(i.Then, dot) : i.Else is null ? Flow.Normal : ExecList(i.Else, dot));
                case TWith w:
                    return Scoped(() =>
                    {
                        var v = EvalPipe(w.Pipe, dot, declare: true);
                        return GoValues.IsTrue(v) ? ExecList(w.Then, v) : w.Else is null ? Flow.Normal : ExecList(w.Else, dot);
                    });
                case TRange r:
                    return Scoped(() => ExecRange(r, dot));
                case TBreak:
                    return Flow.Break;
                case TContinue:
                    return Flow.Continue;
                default:
                    throw new InvalidOperationException("BUG: unknown template node");
            }
        }

        private Flow Scoped(Func<Flow> body)
        {
            var mark = _vars.Count;
            try
            {
                return body();
            }
            finally
            {
                _vars.RemoveRange(mark, _vars.Count - mark);
            }
        }

        private Flow ExecRange(TRange r, object? dot)
        {
            var value = EvalPipe(r.Pipe, dot, declare: false);
            var items = new List<(object? Key, object? Value)>();
            switch (value)
            {
                case null:
                    break;
                case List<object?> list:
                    for (var i = 0; i < list.Count; i++)
                    {
                        items.Add(((long)i, list[i]));
                    }
                    break;
                case Dictionary<string, string> m:
                    foreach (var k in m.Keys.Order(StringComparer.Ordinal))
                    {
                        items.Add((k, m[k]));
                    }
                    break;
                case Dictionary<string, object?> om:
                    foreach (var k in om.Keys.Order(StringComparer.Ordinal))
                    {
                        items.Add((k, om[k]));
                    }
                    break;
                case long n:
                    if (n > MaxRangeIterations)
                    {
                        throw Fail(r.Pipe, "range exceeds the iteration limit");
                    }
                    for (long i = 0; i < n; i++)
                    {
                        items.Add((i, i));
                    }
                    break;
                default:
                    throw Fail(r.Pipe, $"range can't iterate over {GoValues.Print(value)}");
            }
            if (items.Count == 0)
            {
                return r.Else is null ? Flow.Normal : ExecList(r.Else, dot);
            }
            if (items.Count > MaxRangeIterations)
            {
                throw Fail(r.Pipe, "range exceeds the iteration limit");
            }
            var mark = _vars.Count;
            foreach (var (key, item) in items)
            {
                _vars.RemoveRange(mark, _vars.Count - mark);
                if (r.Pipe.Vars.Count == 1)
                {
                    _vars.Add((r.Pipe.Vars[0], item));
                }
                else if (r.Pipe.Vars.Count == 2)
                {
                    _vars.Add((r.Pipe.Vars[0], key));
                    _vars.Add((r.Pipe.Vars[1], item));
                }
                ctx.Step();
                var flow = ExecList(r.Body, item);
                if (flow == Flow.Break)
                {
                    break;
                }
            }
            return Flow.Normal;
        }

        private void Append(string s)
        {
            TemplateContext.CheckSize((long)ctx.Output.Length + s.Length);
            ctx.Output.Append(s);
        }

        private object? EvalPipe(TPipe pipe, object? dot, bool declare)
        {
            object? value = null;
            var hasFinal = false;
            foreach (var cmd in pipe.Commands)
            {
                ctx.Step();
                value = EvalCommand(pipe, cmd, dot, value, hasFinal);
                hasFinal = true;
            }
            if (declare && pipe.Vars.Count > 0)
            {
                foreach (var v in pipe.Vars)
                {
                    if (pipe.IsAssign)
                    {
                        var idx = _vars.FindLastIndex(x => x.Name == v);
                        if (idx < 0)
                        {
                            throw Fail(pipe, $"undefined variable: {v}");
                        }
                        _vars[idx] = (v, value);
                    }
                    else
                    {
                        _vars.Add((v, value));
                    }
                }
            }
            return value;
        }

        private object? EvalCommand(TPipe pipe, TCommand cmd, object? dot, object? final, bool hasFinal)
        {
            var first = cmd.Args[0];
            if (first is TFunction f)
            {
                if (f.Name is "and" or "or")
                {
                    return ShortCircuit(pipe, f.Name, cmd, dot, final, hasFinal);
                }
                var n = cmd.Args.Count - 1 + (hasFinal ? 1 : 0);
                var args = new object?[n];
                for (var i = 1; i < cmd.Args.Count; i++)
                {
                    args[i - 1] = EvalArg(pipe, cmd.Args[i], dot);
                }
                if (hasFinal)
                {
                    args[n - 1] = final;
                }
                return Call(pipe, f.Name, args);
            }
            if (cmd.Args.Count > 1 || hasFinal)
            {
                throw Fail(pipe, $"can't give argument to non-function {Describe(first)}");
            }
            return EvalArg(pipe, first, dot);
        }

        private object? ShortCircuit(TPipe pipe, string fn, TCommand cmd, object? dot, object? final, bool hasFinal)
        {
            var count = cmd.Args.Count - 1 + (hasFinal ? 1 : 0);
            if (count < 1)
            {
                throw Fail(pipe, $"wrong number of args for {fn}: want at least 1 got 0");
            }
            object? v = null;
            for (var i = 0; i < count; i++)
            {
                v = i < cmd.Args.Count - 1 ? EvalArg(pipe, cmd.Args[i + 1], dot) : final;
                var truth = GoValues.IsTrue(v);
                if (fn == "and" ? !truth : truth)
                {
                    return v;
                }
            }
            return v;
        }

        private object? Call(TPipe pipe, string fn, object?[] args)
        {
            var def = extra is not null && extra.TryGetValue(fn, out var own) ? own : TemplateFunctions.Get(fn);
            if (args.Length < def.Min || (def.Max >= 0 && args.Length > def.Max))
            {
                throw Fail(pipe, $"wrong number of args for {fn}: want {(def.Max == def.Min ? def.Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : "at least " + def.Min)} got {args.Length}");
            }
            try
            {
                return def.Invoke(ctx, args);
            }
            catch (TemplateException e) when (!e.Message.StartsWith("template:", StringComparison.Ordinal))
            {
                throw Fail(pipe, $"error calling {fn}: {e.Message}");
            }
        }

        private object? EvalArg(TPipe pipe, TArg arg, object? dot)
        {
            switch (arg)
            {
                case TConstant c:
                    return c.Value;
                case TField f:
                    return Fields(pipe, dot, f.Path);
                case TVariable v:
                {
                    var idx = _vars.FindLastIndex(x => x.Name == v.Name);
                    if (idx < 0)
                    {
                        throw Fail(pipe, $"undefined variable: {v.Name}");
                    }
                    return Fields(pipe, _vars[idx].Value, v.Path);
                }
                case TFunction fn:
                    return Call(pipe, fn.Name, []);
                case TSubPipe sp:
                    return Fields(pipe, EvalPipe(sp.Pipe, dot, declare: false), sp.Path);
                default:
                    throw new InvalidOperationException("BUG: unknown template argument");
            }
        }

        private object? Fields(TPipe pipe, object? value, IReadOnlyList<string> path)
        {
            foreach (var field in path)
            {
                value = value switch
                {
                    Dictionary<string, string> m => m.TryGetValue(field, out var s) ? s : "",
                    Dictionary<string, object?> om => om.TryGetValue(field, out var o) ? o : null,
                    null => throw Fail(pipe, $"nil pointer evaluating interface {{}}.{field}"),
                    _ => throw Fail(pipe, $"can't evaluate field {field} in type {GoValues.TypeName(value)}"),
                };
            }
            return value;
        }

        private static string Describe(TArg arg) => arg switch
        {
            TField f => "." + string.Join('.', f.Path),
            TVariable v => v.Name,
            TConstant c => GoValues.Print(c.Value),
            _ => "(pipeline)",
        };
    }

    internal static int CountOf(object? v) => v switch
    {
        string s => System.Text.Encoding.UTF8.GetByteCount(s),
        ICollection c => c.Count,
        _ => throw new TemplateException($"len of type {GoValues.TypeName(v)}"),
    };
}
