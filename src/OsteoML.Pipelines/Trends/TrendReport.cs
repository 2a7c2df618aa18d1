using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OsteoML.Domain;

namespace OsteoML.Pipelines.Trends;

/// <summary>Every patient's trend, the precision and LSC they were judged by, and how many results had no patient key.
/// Written as <c>trends.csv</c> and <c>trends.json</c>, with one PNG per patient under <c>plots/</c> (<c>TrendPlots</c>), all named by patient key only.</summary>
public sealed record TrendReport(IReadOnlyList<PatientTrend> Patients, MeasurementPrecision Precision, int UnkeyedResults)
{
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "patient_key", "studies", "first_study_date", "last_study_date", "span_years", "first_bmd", "last_bmd", "change", "change_se",
        "slope_per_year", "slope_se", "percent_per_year", "lsc", "status", "scanner_change", "new_fractures",
    ];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public int Count(TrendStatus status) => Patients.Count(p => p.Status == status);

    public string CsvText()
    {
        static string N(double? v, string format = "0.###") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "";
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var text = new StringBuilder().AppendJoin(',', CsvColumns).Append('\n');
        foreach (var p in Patients)
        {
            var measured = p.Studies.Where(s => s.Bmd is not null).ToList();
            string[] fields =
            [
                p.PatientKey, p.Studies.Count.ToString(CultureInfo.InvariantCulture), D(p.Studies[0].StudyDate), D(p.Studies[^1].StudyDate),
                N(p.Fit?.SpanYears), N(measured.FirstOrDefault()?.Bmd), N(measured.LastOrDefault()?.Bmd), N(p.Fit?.Change), N(p.Fit?.ChangeStandardError),
                N(p.Fit?.SlopePerYear), N(p.Fit?.SlopeStandardError), N(p.PercentPerYear), N(Precision.Lsc), JsonNamingPolicy.CamelCase.ConvertName(p.Status.ToString()),
                JsonNamingPolicy.CamelCase.ConvertName(p.ScannerChange.ToString()),
                string.Join(';', p.NewFractures.Select(f => $"{f.Level}:{f.FromGrade}>{f.ToGrade}")),
            ];
            text.AppendJoin(',', fields.Select(CsvFile.Quote)).Append('\n');
        }
        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        precision = new { sd = Precision.Sd, lsc = Precision.Lsc, pairs = Precision.Pairs, source = Precision.Source },
        unkeyedResults = UnkeyedResults,
        patients = Patients.Select(p => new
        {
            patientKey = p.PatientKey,
            status = p.Status,
            scannerChange = p.ScannerChange,
            fit = p.Fit,
            percentPerYear = p.PercentPerYear,
            newFractures = p.NewFractures,
            studies = p.Studies.Select(s => new
            {
                studyDate = s.StudyDate, studyInstanceUid = s.StudyInstanceUid, seriesInstanceUid = s.SeriesInstanceUid, siteKey = s.SiteKey,
                siteCalibrated = s.SiteCalibrated, bmd = s.Bmd, genantGrades = s.GenantGrades,
                tissueScale = s.TissueScale is { } scale ? new { offsetHu = scale.Offset, gain = scale.Gain } : null,
            }),
        }),
    }, Json);

    /// <summary>Writes trends.csv and trends.json (the plots, one PNG per patient, are <c>OsteoML.Validation</c>'s <c>TrendPlots</c>).</summary>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "trends.csv"), CsvText());
        AtomicFile.WriteAllText(Path.Combine(directory, "trends.json"), ToJson() + "\n");
    }
}
