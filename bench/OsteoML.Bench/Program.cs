using BenchmarkDotNet.Running;

namespace OsteoML.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*'</c> runs the micro-benchmarks
/// (BenchmarkDotNet's own arguments). Side-by-side comparisons with peer tools are added per stage.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["autotune", .. var rest]) { AutoTune.TuneAndCalibrateRunner.Run(rest); return; }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
