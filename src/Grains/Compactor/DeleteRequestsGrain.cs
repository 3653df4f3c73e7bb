using Microsoft.Extensions.DependencyInjection;
using Orleans.Loki.Grains.Abstractions;
using Orleans.Storage;

namespace Orleans.Loki.Grains.Compactor;

/// <summary>Persistent state of one tenant's delete requests.</summary>
[GenerateSerializer, Alias("DeleteRequestsState")]
public sealed class DeleteRequestsState
{
    [Id(0)] public List<DeleteRequest> Requests { get; set; } = [];

    /// <summary>Unix ns of the last add or cancel (the results-cache generation number).</summary>
    [Id(1)] public long GenerationNs { get; set; }
}

/// <summary>
/// One tenant's delete requests; every change is written to grain storage <c>loki-state</c> before the call returns.
/// Every query asks this grain, so a host without that storage (a bare grain host) still answers: with no requests,
/// and it refuses to store one.
/// </summary>
[Placement.RolePlacement(Placement.LokiModules.Compactor)]
internal sealed class DeleteRequestsGrain : Grain, IDeleteRequestsGrain
{
    private readonly StateHolder _state = new();
    private IGrainStorage? _storage;
    private IReadOnlyList<DeleteFilterSpec>? _filters;

    private sealed class StateHolder
    {
        public GrainState<DeleteRequestsState> Grain { get; } = new(new DeleteRequestsState());

        public DeleteRequestsState State => Grain.State ??= new DeleteRequestsState();
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = ServiceProvider.GetKeyedService<IGrainStorage>("loki-state");
        if (_storage is not null)
        {
            await _storage.ReadStateAsync("deletes", this.GetGrainId(), _state.Grain);
            _state.Grain.State ??= new DeleteRequestsState();
        }
    }

    private Task WriteStateAsync() => _storage is null
        ? throw new InvalidOperationException("no grain storage 'loki-state' is configured; delete requests cannot be stored")
        : _storage.WriteStateAsync("deletes", this.GetGrainId(), _state.Grain);

    async Task IDeleteRequestsGrain.AddAsync(DeleteRequest request)
    {
        if (_state.State.Requests.Exists(r => r.RequestId == request.RequestId))
        {
            return;
        }
        _state.State.Requests.Add(request);
        _state.State.GenerationNs = Math.Max(_state.State.GenerationNs + 1, request.CreatedNs);
        _filters = null;
        await WriteStateAsync();
    }

    Task<IReadOnlyList<DeleteRequest>> IDeleteRequestsGrain.ListAsync() =>
        Task.FromResult<IReadOnlyList<DeleteRequest>>([.. _state.State.Requests.OrderBy(r => r.CreatedNs)]);

    async Task<CancelOutcome> IDeleteRequestsGrain.CancelAsync(string requestId, bool force, long nowNs, long cancelPeriodNs)
    {
        var request = _state.State.Requests.Find(r => r.RequestId == requestId);
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
        _state.State.Requests.Remove(request);
        _state.State.GenerationNs = Math.Max(_state.State.GenerationNs + 1, nowNs);
        _filters = null;
        await WriteStateAsync();
        return CancelOutcome.Cancelled;
    }

    Task<long> IDeleteRequestsGrain.GenerationAsync() => Task.FromResult(_state.State.GenerationNs);

    Task<IReadOnlyList<DeleteFilterSpec>> IDeleteRequestsGrain.FiltersAsync() =>
        Task.FromResult(_filters ??= [.. _state.State.Requests.Select(r => new DeleteFilterSpec(r.Query, r.StartNs, r.EndNs))]);

    async Task IDeleteRequestsGrain.MarkProcessedAsync(string requestId, int processedShards)
    {
        var i = _state.State.Requests.FindIndex(r => r.RequestId == requestId);
        if (i < 0 || _state.State.Requests[i].ProcessedShards >= processedShards)
        {
            return;
        }
        _state.State.Requests[i] = _state.State.Requests[i] with { ProcessedShards = Math.Min(processedShards, _state.State.Requests[i].Shards) };
        await WriteStateAsync();
    }
}
