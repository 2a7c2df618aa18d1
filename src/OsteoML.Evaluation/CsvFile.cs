namespace OsteoML.Evaluation;

/// <summary>The RFC 4180 record splitter the predictions reader uses, for the other CSV inputs (cohort manifests).</summary>
public static class CsvFile
{
    /// <summary>Records with their number (the header is 1); a quoted field may hold commas, quotes ("") and line breaks.</summary>
    public static IEnumerable<(int Number, string[] Fields)> Records(TextReader reader, string source) => PredictionsCsv.CsvRecords(reader, source);
}
