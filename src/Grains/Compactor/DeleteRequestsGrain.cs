using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>Persistent state of one tenant's delete requests.</summary>
[GenerateSerializer, Alias("DeleteRequestsState")]
public sealed class DeleteRequestsState
{
    [Id(0)] public List<DeleteRequest> Requests { get; set; } = [];

    /// <summary>Unix ns of the last add or cancel (the results-cache generation number).</summary>
    [Id(1)] public long GenerationNs { get; set; }
}

/// <summary>One tenant's delete requests; every change is written to grain storage before the call returns.</summary>
internal sealed class DeleteRequestsGrain(
    [PersistentState("deletes", "loki-state")] IPersistentState<DeleteRequestsState> state) : Grain, IDeleteRequestsGrain
{
    private IReadOnlyList<DeleteFilterSpec>? _filters;

    async Task IDeleteRequestsGrain.AddAsync(DeleteRequest request)
    {
        if (state.State.Requests.Exists(r => r.RequestId == request.RequestId))
        {
            return;
        }
        state.State.Requests.Add(request);
        state.State.GenerationNs = Math.Max(state.State.GenerationNs + 1, request.CreatedNs);
        _filters = null;
        await state.WriteStateAsync();
    }

    Task<IReadOnlyList<DeleteRequest>> IDeleteRequestsGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<DeleteRequest>>([.. state.State.Requests.OrderBy(r => r.CreatedNs)]);

    async Task<CancelOutcome> IDeleteRequestsGrain.CancelAsync(string requestId, bool force, long nowNs, long cancelPeriodNs)
    {
        var request = state.State.Requests.Find(r => r.RequestId == requestId);
        if (request is null)
        {
            return CancelOutcome.NotFound;
        }
        if (request.Status == "processed")
        {
            return CancelOutcome.AlreadyProcessed;
        }
        if ((request.Status != "received" || request.CreatedNs + cancelPeriodNs < nowNs) && !force)
        {
            return CancelOutcome.NotAllowed;
        }
        state.State.Requests.Remove(request);
        state.State.GenerationNs = Math.Max(state.State.GenerationNs + 1, nowNs);
        _filters = null;
        await state.WriteStateAsync();
        return CancelOutcome.Cancelled;
    }

    Task<long> IDeleteRequestsGrain.GenerationAsync() => Task.FromResult(state.State.GenerationNs);

    Task<IReadOnlyList<DeleteFilterSpec>> IDeleteRequestsGrain.FiltersAsync() =>
        Task.FromResult(_filters ??= [.. state.State.Requests.Select(r => new DeleteFilterSpec(r.Query, r.StartNs, r.EndNs))]);

    async Task IDeleteRequestsGrain.MarkProcessedAsync(string requestId, int processedShards)
    {
        var i = state.State.Requests.FindIndex(r => r.RequestId == requestId);
        if (i < 0 || state.State.Requests[i].ProcessedShards >= processedShards)
        {
            return;
        }
        state.State.Requests[i] = state.State.Requests[i] with { ProcessedShards = Math.Min(processedShards, state.State.Requests[i].Shards) };
        await state.WriteStateAsync();
    }
}
