using Orleans.Loki.Canary;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(CanaryOptions.Usage);
    return 0;
}
var options = CanaryOptions.Parse(args[1..]);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
return args[0] switch
{
    "canary" => await new CanaryRun(options).RunAsync(stop.Token),
    "bombs" => await BombRun.RunAsync(options),
    _ => throw new ArgumentException(CanaryOptions.Usage),
};
