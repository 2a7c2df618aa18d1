using System.Diagnostics;

namespace OsteoML.Cli.Benchmarks;

/// <summary>Wall time, peak RSS and exit code of one child process.</summary>
public sealed record ProcessMeasurement(double WallSeconds, long PeakRssBytes, int ExitCode)
{
    /// <summary>How often VmHWM is sampled: the peak is a high-water mark, so only growth in the last interval before exit can be missed.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Runs the program with the arguments, its stdout and stderr into <paramref name="logPath"/>.</summary>
    public static ProcessMeasurement Run(string fileName, IEnumerable<string> arguments, string logPath)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var log = new StreamWriter(logPath) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long peak = 0;
        while (!process.WaitForExit(PollInterval))
            peak = Math.Max(peak, PeakRss.Read(process.Id) ?? 0);
        var wall = clock.Elapsed.TotalSeconds;
        process.WaitForExit();
        return new ProcessMeasurement(wall, peak, process.ExitCode);
    }
}
