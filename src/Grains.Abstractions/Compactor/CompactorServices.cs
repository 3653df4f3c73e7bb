namespace Orleans.Loki.Grains.Compactor;

/// <summary>Service keys of the compactor.</summary>
public static class CompactorServices
{
    /// <summary>Key of an optional <see cref="TimeProvider"/> that only the compactor and the delete API use (tests).</summary>
    public const string TimeKey = "loki-compactor";
}
