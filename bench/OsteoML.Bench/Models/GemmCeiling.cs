using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using OsteoML.Inference;

namespace OsteoML.Bench.Models;

/// <summary>
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- models gemm [--size 1024] [--runs 10] [--threads 2] [--json FILE]</c>
/// <para>The machine's single-precision matrix-multiply rate as a ceiling for the network's GFLOP/s: ONNX Runtime (MLAS
/// SGEMM, the kernels its convolutions reduce to) running one N×N MatMul on the given threads, best of the runs after
/// one warm-up, 2N³ FLOP each. The model is written by matmul_model.py (Debian's python3 with onnx).</para>
/// </summary>
public static class GemmCeiling
{
    public static void Run(string[] args)
    {
        var n = (int)BenchRun.Number(args, "--size", 1024);
        var runs = (int)BenchRun.Number(args, "--runs", 10);
        var threads = (int)BenchRun.Number(args, "--threads", 2);
        var modelPath = Path.Combine(Path.GetTempPath(), $"osteoml-bench-matmul-{n}-{Environment.ProcessId}.onnx");
        WriteModel(modelPath, n);
        using var session = OnnxRuntimeSessions.Open(modelPath, threads);
        File.Delete(modelPath);
        var random = new Random(1);
        var a = Enumerable.Range(0, n * n).Select(_ => (float)random.NextDouble()).ToArray();
        var b = Enumerable.Range(0, n * n).Select(_ => (float)random.NextDouble()).ToArray();
        var c = new float[n * n];
        long[] shape = [n, n];
        using var inputA = OrtValue.CreateTensorValueFromMemory(a, shape);
        using var inputB = OrtValue.CreateTensorValueFromMemory(b, shape);
        using var output = OrtValue.CreateTensorValueFromMemory(c, shape);
        using var options = new RunOptions();
        void Multiply() => session.Run(options, ["A", "B"], [inputA, inputB], ["C"], [output]);

        Multiply();
        // Spot check against a scalar dot product, so a wrong model cannot report a rate.
        var expected = Enumerable.Range(0, n).Sum(k => (double)a[5 * n + k] * b[k * n + 7]);
        if (Math.Abs(c[5 * n + 7] - expected) > 1e-3 * Math.Abs(expected))
            throw new InvalidOperationException($"MatMul result {c[5 * n + 7]} differs from {expected}.");
        var seconds = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            Multiply();
            seconds[i] = clock.Elapsed.TotalSeconds;
        }
        var flop = 2.0 * n * n * n;
        var best = flop / seconds.Min() / 1e9;
        Console.WriteLine($"GEMM {n}×{n}×{n}, {threads} threads: best {best:F1} GFLOP/s, median {flop / seconds.Order().ElementAt(runs / 2) / 1e9:F1} GFLOP/s over {runs} runs");
        BenchRun.WriteFragment(args, "gemm", new() { ["gemmBestGflops"] = [best], ["gemmSeconds"] = seconds, ["gemmSize"] = [n], ["gemmThreads"] = [threads] },
            $"ONNX Runtime MatMul {n}³ float32, {threads} threads, best of {runs}");
    }

    private static void WriteModel(string path, int n)
    {
        var script = Path.Combine(BenchRun.RepositoryRoot(), "bench", "OsteoML.Bench", "Models", "matmul_model.py");
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var x in new[] { script, path, n.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(x);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/python3");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"matmul_model.py failed: {error.Trim()}");
    }
}
