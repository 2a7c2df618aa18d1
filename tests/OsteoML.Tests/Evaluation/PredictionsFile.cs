using System.Globalization;
using System.Text;
using OsteoML.Domain;
using OsteoML.Evaluation;

namespace OsteoML.Tests.Evaluation;

/// <summary>Writes predictions CSV files shaped like the study's (splits, sites, scanners, repeated patients).</summary>
internal static class PredictionsFile
{
    public static readonly string[] Header =
        ["id", "split", "site", "scanner", "bmd_true", "bmd_pred", "class_true", "p_normal", "p_osteopenia", "p_osteoporosis"];

    /// <summary>The case's rows with ids (about one patient in six has two rows), splits and sites assigned at random.</summary>
    public static (ReferenceCase Data, string[] Ids, string[] Splits, string[] Sites, string[] Scanners) Study(int seed, int n)
    {
        var data = RandomData.Case(seed, n, decimals: 3);
        var random = new Random(seed + 1000);
        var ids = RandomData.PatientIds(seed, n, patients: n * 5 / 6);
        // A patient's rows share split and site (as in a real cohort): draw them per patient.
        var patientSplit = new Dictionary<string, string>();
        var patientSite = new Dictionary<string, int>();
        var splits = new string[n];
        var sites = new string[n];
        var scanners = new string[n];
        for (var i = 0; i < n; i++)
        {
            if (!patientSplit.TryGetValue(ids[i], out var split))
            {
                var u = random.NextDouble();
                patientSplit[ids[i]] = split = u < 0.58 ? "train" : u < 0.72 ? "test" : "independent";
                patientSite[ids[i]] = random.Next(3);
            }
            splits[i] = split;
            sites[i] = "ABC"[patientSite[ids[i]]].ToString();
            scanners[i] = $"{sites[i]}-{(patientSite[ids[i]] == 0 ? random.Next(2) : 0)}";
        }
        // Make the probabilities sum to 1 exactly as written (rounding to 3 decimals can leave 0.999 or 1.001).
        foreach (var p in data.Proba!)
            p[2] = Math.Round(1 - p[0] - p[1], 3);
        return (data, ids, splits, sites, scanners);
    }

    public static string Write(string directory, int seed, int n, string name = "predictions.csv")
    {
        var (data, ids, splits, sites, scanners) = Study(seed, n);
        var text = new StringBuilder(string.Join(',', Header)).Append('\n');
        for (var i = 0; i < n; i++)
        {
            string[] cells =
            [
                ids[i], splits[i], sites[i], scanners[i], Number(data.Reference![i]), Number(data.Predicted![i]),
                AcrClasses.Names[data.Truth![i]], Number(data.Proba![i][0]), Number(data.Proba[i][1]), Number(data.Proba[i][2]),
            ];
            text.Append(string.Join(',', cells)).Append('\n');
        }
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
