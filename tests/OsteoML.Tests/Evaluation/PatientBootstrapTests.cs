using System.Text.Json;
using System.Text.Json.Nodes;
using OsteoML.Evaluation;
using OsteoML.Tests.Support;

namespace OsteoML.Tests.Evaluation;

[TestClass]
public sealed class PatientBootstrapTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void Rows_of_one_patient_share_a_weight_and_each_replicate_draws_every_patient_slot()
    {
        var ids = RandomData.PatientIds(seed: 3, rows: 50, patients: 20);
        var bootstrap = new PatientBootstrap(ids, replicates: 200, seed: 5);
        Assert.AreEqual(20, bootstrap.Patients);
        var total = new double[50];
        foreach (var weights in bootstrap.RowWeights())
        {
            var byPatient = ids.Zip(weights).GroupBy(x => x.First).ToArray();
            foreach (var patient in byPatient)
                Assert.AreEqual(1, patient.Select(x => x.Second).Distinct().Count(), "all rows of a patient carry the same weight");
            Assert.AreEqual(20, byPatient.Sum(p => p.First().Second), "20 patients drawn with replacement");
            for (var i = 0; i < 50; i++) total[i] += weights[i];
        }
        // Each patient is drawn once per replicate on average: over 200 replicates its mean weight is 1 ± ~0.07 (SD √(19/20)/√200).
        foreach (var mean in total.Select(t => t / 200))
            Assert.IsTrue(mean is > 0.75 and < 1.25, $"mean weight {mean}");
    }

    [TestMethod]
    public void The_seed_fixes_the_replicates()
    {
        var ids = RandomData.PatientIds(seed: 3, rows: 30, patients: 30);
        var a = new PatientBootstrap(ids, replicates: 5, seed: 11).RowWeights().ToArray();
        var b = new PatientBootstrap(ids, replicates: 5, seed: 11).RowWeights().ToArray();
        var c = new PatientBootstrap(ids, replicates: 5, seed: 12).RowWeights().ToArray();
        for (var i = 0; i < 5; i++)
            CollectionAssert.AreEqual(a[i], b[i]);
        Assert.IsFalse(a.Zip(c).All(x => x.First.SequenceEqual(x.Second)));
    }

    [TestMethod]
    public void Quantiles_interpolate_like_numpy()
    {
        // numpy.percentile([1, 2, 3, 4, 10], [2.5, 97.5]): h = 4·0.025 = 0.1 → 1 + 0.1·1 = 1.1; h = 3.9 → 4 + 0.9·6 = 9.4
        var ci = ConfidenceInterval.FromReplicates([4, 10, null, 1, 3, 2], 0.95)!;
        Assert.AreEqual(1.1, ci.Low, 1e-12);
        Assert.AreEqual(9.4, ci.High, 1e-12);
        Assert.AreEqual(5, ci.Replicates, "the undefined replicate is left out");
        Assert.IsNull(ConfidenceInterval.FromReplicates([null, null], 0.95));
    }

    [TestMethod]
    public void Intervals_agree_with_sklearn_and_numpy_percentiles_over_the_same_resamples()
    {
        var data = RandomData.Case(seed: 21, n: 150, decimals: 2);
        var ids = RandomData.PatientIds(seed: 21, rows: 150, patients: 90);
        var bootstrap = new PatientBootstrap(ids, replicates: 200, seed: 3);
        var classification = Metrics.Classification(data.Truth!, data.Proba!, bootstrap: bootstrap).Ci!;
        var regression = Metrics.Regression(data.Reference!, data.Predicted!, bootstrap).Ci!;

        var expected = ReferenceIntervals(data, bootstrap);
        var agreement = new Agreement();
        void Check(string key, ConfidenceInterval? ours)
        {
            var e = expected[key];
            Assert.AreEqual(e is null, ours is null, key);
            if (e is null || ours is null) return;
            agreement.Check(e[0], ours.Low, $"{key} low");
            agreement.Check(e[1], ours.High, $"{key} high");
            Assert.AreEqual(e[2]!.GetValue<int>(), ours.Replicates, $"{key} defined replicates");
        }
        Check("meanAuc", classification.MeanAuc);
        for (var c = 0; c < 3; c++) Check($"auc{c}", classification.Auc[c]);
        Check("accuracy", classification.Accuracy);
        Check("precision", classification.Precision);
        Check("recall", classification.Recall);
        Check("specificity", classification.Specificity);
        Check("f1", classification.F1);
        Check("mae", regression.Mae);
        Check("rmse", regression.Rmse);
        Check("r2", regression.R2);
        Check("pearsonR", regression.PearsonR);
        Check("bias", regression.Bias);
        Check("loaLow", regression.LowerLimitOfAgreement);
        Check("loaHigh", regression.UpperLimitOfAgreement);
        TestContext.WriteLine($"bootstrap intervals: {agreement.Compared} bounds, max relative difference {agreement.MaxRelativeDifference:E2}");
    }

    [TestMethod]
    public void A_class_missing_from_some_resamples_gets_an_interval_from_the_others()
    {
        // One patient (two rows) is the only osteoporosis case: about (1 − 1/40)^40 ≈ 36 % of resamples lack it.
        var ids = Enumerable.Range(0, 40).Select(i => $"P{i}").Append("P0").ToArray();
        var truth = Enumerable.Range(0, 41).Select(i => i == 0 || i == 40 ? 2 : i % 2).ToArray();
        var random = new Random(4);
        var proba = truth.Select(t => Enumerable.Range(0, 3).Select(c => c == t ? 0.5 + random.NextDouble() : random.NextDouble()).ToArray()).ToArray();
        var m = Metrics.Classification(truth, proba, bootstrap: new PatientBootstrap(ids, replicates: 300, seed: 8));
        var osteoporosis = m.Ci!.Auc[2]!;
        Assert.IsTrue(osteoporosis.Replicates is > 120 and < 260, $"{osteoporosis.Replicates} of 300 replicates define it");
        Assert.AreEqual(300, m.Ci.Auc[0]!.Replicates);
    }

    [TestMethod]
    public void Resampling_patients_not_rows_widens_the_interval_of_clustered_rows()
    {
        // 30 patients with 8 identical rows each: 240 rows carry only 30 patients' information.
        var random = new Random(9);
        var perPatient = Enumerable.Range(0, 30).Select(_ => (Reference: 100 + 20 * RandomData.Gaussian(random), Error: 8 * RandomData.Gaussian(random))).ToArray();
        var reference = perPatient.SelectMany(p => Enumerable.Repeat(p.Reference, 8)).ToArray();
        var predicted = perPatient.SelectMany(p => Enumerable.Repeat(p.Reference + p.Error, 8)).ToArray();
        var patients = Enumerable.Range(0, 240).Select(i => $"P{i / 8}").ToArray();
        var rows = Enumerable.Range(0, 240).Select(i => $"R{i}").ToArray();

        var byPatient = Metrics.Regression(reference, predicted, new PatientBootstrap(patients, 400, seed: 1)).Ci!.Mae!;
        var byRow = Metrics.Regression(reference, predicted, new PatientBootstrap(rows, 400, seed: 1)).Ci!.Mae!;
        // Treating rows as independent shrinks the standard error by about √8 ≈ 2.8.
        var ratio = (byPatient.High - byPatient.Low) / (byRow.High - byRow.Low);
        Assert.IsTrue(ratio is > 2 and < 4, $"width ratio {ratio:F2}");
    }

    private static JsonObject ReferenceIntervals(ReferenceCase data, PatientBootstrap bootstrap)
    {
        var dir = TestPaths.NewTempDirectory("osteoml-bootstrap");
        try
        {
            var input = Path.Combine(dir, "input.json");
            var payload = new { @case = data, weights = bootstrap.RowWeights().ToArray(), level = bootstrap.Level };
            File.WriteAllText(input, JsonSerializer.Serialize(payload, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            var result = ExternalTool.Run(ExternalTool.DebianPython, [TestPaths.Data("evaluation", "bootstrap_ci.py"), input])
                .EnsureSuccess("bootstrap_ci.py");
            return JsonNode.Parse(result.StdOut)!.AsObject();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
