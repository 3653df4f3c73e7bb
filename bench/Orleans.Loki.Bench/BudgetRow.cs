using System.Globalization;

namespace Orleans.Loki.Bench;

/// <summary>One line of the budget check.</summary>
/// <param name="Name"><c>Class.Method</c>.</param>
/// <param name="MeanNs">Mean time per operation, or null when the benchmark did not run.</param>
/// <param name="Allocated">Allocated bytes per operation, or null when the benchmark did not run.</param>
/// <param name="Budget">The budget from allocation-budgets.json.</param>
/// <param name="Verdict">"ok", "OVER BUDGET" or "NOT RUN".</param>
internal sealed record BudgetRow(string Name, double? MeanNs, long? Allocated, long Budget, string Verdict)
{
    public string MeanText => MeanNs is { } ns ? ns.ToString(ns >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture) : "-";

    public string AllocatedText => Allocated?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
