using Orleans.Loki.Grains.Index;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Tail;

/// <summary>
/// A <see cref="TailSnapshot"/> with its matchers compiled, shared by every stream grain of a tenant on one silo.
/// Immutable: a stream grain caches which observers match its labels per instance and recomputes only when the
/// instance changes.
/// </summary>
internal sealed class CompiledTails
{
    public static CompiledTails Empty { get; } = new(TailSnapshot.Empty.Version, []);

    private readonly (ITailObserver Observer, LabelMatcher[] Matchers)[] _subscribers;

    private CompiledTails(long version, (ITailObserver, LabelMatcher[])[] subscribers)
    {
        Version = version;
        _subscribers = subscribers;
    }

    public long Version { get; }

    public bool IsEmpty => _subscribers.Length == 0;

    /// <summary>Compiles a snapshot; a subscriber whose matchers do not compile is skipped (the gateway validated them).</summary>
    public static CompiledTails Compile(TailSnapshot snapshot)
    {
        var subscribers = new List<(ITailObserver, LabelMatcher[])>(snapshot.Subscribers.Count);
        foreach (var s in snapshot.Subscribers)
        {
            try
            {
                subscribers.Add((s.Observer, MatcherCompiler.Compile(s.Matchers)));
            }
            catch (ArgumentException)
            {
                // An invalid regex or matcher type: dropping that tail here keeps it from breaking the others.
            }
        }
        return new CompiledTails(snapshot.Version, [.. subscribers]);
    }

    /// <summary>The observers whose selectors match a stream's labels (a missing label matches as the empty value).</summary>
    public ITailObserver[] Match(KeyValuePair<string, string>[] labels)
    {
        List<ITailObserver>? result = null;
        foreach (var (observer, matchers) in _subscribers)
        {
            if (Matches(matchers, labels))
            {
                (result ??= []).Add(observer);
            }
        }
        return result is null ? [] : [.. result];
    }

    private static bool Matches(LabelMatcher[] matchers, KeyValuePair<string, string>[] labels) => LabelMatcher.MatchesAll(matchers, labels);
}
