using System.Globalization;
using BenchmarkDotNet.Attributes;
using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Bench.Evaluation;

/// <summary>
/// The issue's target: 1219 rows (the study's size) with B = 1000 patient-level bootstrap replicates in ≤ 5 s.
/// <c>dotnet run -c Release --project bench/OsteoML.Bench -- --filter '*EvaluationBenchmarks*'</c>
/// <list type="bullet">
/// <item><c>MetricsWithIntervals</c>: classification + regression metrics of all rows with B = 1000 (the core).</item>
/// <item><c>MaterializedResamples</c>: the same B = 1000 replicates computed the naive way — copy each resample's
///   rows and recompute from scratch (re-sorting for AUC) — the baseline the weighted kernels are measured against.</item>
/// <item><c>EvaluateBySplitAndSite</c>: all 16 subsets of <c>--by split,site</c>, B = 1000 each.</item>
/// <item><c>EvaluateCommandOutput</c>: what <c>osteoml evaluate --by split,site</c> does after parsing: read the CSV,
///   evaluate, write metrics.json, report.md, report.html and 32 PNGs.</item>
/// </list>
/// </summary>
[SimpleJob(warmupCount: 1, iterationCount: 5, invocationCount: 1)]
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private const int Rows = 1219;
    private const int Replicates = 1000;

    private PredictionTable table = null!;
    private int[] truth = null!;
    private IReadOnlyList<double>[] probabilities = null!;
    private int[] predicted = null!;
    private double[] reference = null!;
    private double[] estimate = null!;
    private string[] ids = null!;
    private string directory = null!;
    private string csv = null!;

    [GlobalSetup]
    public void Setup()
    {
        table = StudyLikePredictions.Generate(Rows, seed: 2024);
        var rows = table.Rows;
        truth = rows.Select(r => r.ClassTrue).ToArray();
        probabilities = rows.Select(r => r.Probabilities).ToArray();
        predicted = rows.Select(r => r.ClassPred).ToArray();
        reference = rows.Select(r => r.BmdTrue).ToArray();
        estimate = rows.Select(r => r.BmdPred).ToArray();
        ids = rows.Select(r => r.Id).ToArray();
        directory = Path.Combine(Path.GetTempPath(), $"osteoml-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        csv = Path.Combine(directory, "predictions.csv");
        StudyLikePredictions.WriteCsv(table, csv);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    [Benchmark(Baseline = true)]
    public object MetricsWithIntervals()
    {
        var bootstrap = new PatientBootstrap(ids, Replicates);
        return (Metrics.Classification(truth, probabilities, predicted, AcrClasses.Names, bootstrap),
                Metrics.Regression(reference, estimate, bootstrap));
    }

    [Benchmark]
    public object MaterializedResamples()
    {
        var mean = 0.0;
        foreach (var weights in new PatientBootstrap(ids, Replicates).RowWeights())
        {
            var rows = Enumerable.Range(0, Rows).SelectMany(i => Enumerable.Repeat(i, weights[i])).ToArray();
            var c = Metrics.Classification(rows.Select(i => truth[i]).ToArray(), rows.Select(i => probabilities[i]).ToArray(),
                rows.Select(i => predicted[i]).ToArray(), AcrClasses.Names);
            var r = Metrics.Regression(rows.Select(i => reference[i]).ToArray(), rows.Select(i => estimate[i]).ToArray());
            mean += (c.MeanAuc ?? 0) + (r.Mae ?? 0);
        }
        return mean;
    }

    [Benchmark]
    public object EvaluateBySplitAndSite() =>
        PredictionEvaluator.Evaluate(table, new EvaluationOptions { By = ["split", "site"], Replicates = Replicates });

    [Benchmark]
    public object EvaluateCommandOutput()
    {
        var result = PredictionEvaluator.Evaluate(PredictionTable.ReadCsv(csv), new EvaluationOptions { By = ["split", "site"], Replicates = Replicates });
        return EvaluationOutput.Write(result, Path.Combine(directory, "out"));
    }
}

/// <summary>Study-shaped predictions: 703 train / 176 test / 340 independent, 3 sites, some patients with two rows.</summary>
internal static class StudyLikePredictions
{
    public static PredictionTable Generate(int n, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<PredictionRow>(n);
        for (var i = 0; i < n; i++)
        {
            var cls = random.Next(3);
            var bmd = cls switch { 0 => 150 + 20 * Gaussian(), 1 => 100 + 10 * Gaussian(), _ => 60 + 12 * Gaussian() };
            var logits = Enumerable.Range(0, 3).Select(c => (c == cls ? 2.5 : 0) + Gaussian()).ToArray();
            var sum = logits.Sum(Math.Exp);
            var p = logits.Select(l => Math.Exp(l) / sum).ToArray();
            var split = i < n * 703 / 1219 ? "train" : i < n * 879 / 1219 ? "test" : "independent";
            var patient = i % 10 == 9 ? i - 1 : i; // one patient in ten has two rows
            rows.Add(new PredictionRow($"P{patient:D5}", split, "ABC"[random.Next(3)].ToString(), null,
                bmd, bmd + 8 * Gaussian(), cls, p, Array.IndexOf(p, p.Max())));
        }
        return new PredictionTable(rows, hasScanner: false, predictedClassGiven: false, "study-like");
    }

    public static void WriteCsv(PredictionTable table, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("id,split,site,bmd_true,bmd_pred,class_true,p_normal,p_osteopenia,p_osteoporosis");
        foreach (var r in table.Rows)
        {
            writer.WriteLine(string.Join(',', r.Id, r.Split, r.Site, F(r.BmdTrue), F(r.BmdPred), AcrClasses.Names[r.ClassTrue],
                F(r.Probabilities[0]), F(r.Probabilities[1]), F(r.Probabilities[2])));
        }
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
