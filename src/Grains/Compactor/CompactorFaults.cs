namespace Orleans.Loki.Grains.Compactor;

/// <summary>
/// A hook called at each step of a compactor run with the step's name, so tests can stop a run between two steps
/// (by throwing) and check that the next run finishes the work. Register one in the silo's services; none by default.
/// </summary>
public interface ICompactorFaults
{
    /// <summary>Called before <paramref name="step"/> starts; throw to abort the run there.</summary>
    void Before(string step);
}

/// <summary>The steps of a run, in order.</summary>
public static class CompactorSteps
{
    /// <summary>Rewritten chunks are about to be uploaded.</summary>
    public const string Upload = "upload";

    /// <summary>The marker (old chunk keys) is about to be written.</summary>
    public const string Mark = "mark";

    /// <summary>The index files are about to be switched (the commit point).</summary>
    public const string IndexSwitch = "index-switch";

    /// <summary>Delete requests are about to be recorded as processed.</summary>
    public const string MarkProcessed = "mark-processed";

    /// <summary>Marked chunk objects older than the delay are about to be deleted.</summary>
    public const string Sweep = "sweep";
}
