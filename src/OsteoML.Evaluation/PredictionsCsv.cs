using OsteoML.Domain;
using System.Text;

namespace OsteoML.Evaluation;

/// <summary>
/// Reads a predictions CSV (RFC 4180: comma-separated, optional double quotes, "" inside quotes; UTF-8 with
/// or without BOM; a header row naming the columns in any order; extra columns ignored). Rows are numbered as
/// a spreadsheet shows them: the header is row 1. Every row is checked; the error names the first bad row and
/// column and counts the other bad rows, so one run shows the extent of the damage.
/// </summary>
internal static class PredictionsCsv
{
    public static PredictionTable Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"predictions file not found: {path}", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, Path.GetFileName(path));
    }

    public static PredictionTable Read(TextReader reader, string source)
    {
        using var records = CsvFile.Records(reader, source).GetEnumerator();
        if (!records.MoveNext())
            throw new InvalidDataException($"{source}: empty file (expected a header row with the columns {string.Join(", ", PredictionColumns.Required)})");
        var header = records.Current.Fields.Select(f => f.Trim()).ToArray();
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
        {
            if (!index.TryAdd(header[i], i))
                throw new InvalidDataException($"{source}: row 1 (header), column {header[i]}: appears twice");
        }
        var missing = PredictionColumns.Required.Where(c => !index.ContainsKey(c)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException($"{source}: row 1 (header): missing column{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}");
        var hasScanner = index.ContainsKey(PredictionColumns.Scanner);
        var hasClassPred = index.ContainsKey(PredictionColumns.ClassPred);

        var rows = new List<PredictionRow>();
        string? firstError = null;
        var badRows = 0;
        while (records.MoveNext())
        {
            var (number, fields) = records.Current;
            if (fields.Length == 1 && fields[0].Trim().Length == 0)
                continue; // blank line
            var where = $"{source}: row {number}";
            try
            {
                if (fields.Length != header.Length)
                    throw new InvalidDataException($"{where}: {fields.Length} fields, the header has {header.Length}");
                rows.Add(PredictionRowReader.Read(column => fields[index[column]], where, hasScanner, hasClassPred));
            }
            catch (InvalidDataException ex)
            {
                firstError ??= ex.Message;
                badRows++;
            }
        }
        if (firstError is not null)
            throw new InvalidDataException(badRows == 1 ? firstError : $"{firstError} (and {badRows - 1} more bad row{(badRows > 2 ? "s" : "")})");
        if (rows.Count == 0)
            throw new InvalidDataException($"{source}: no data rows after the header");
        return new PredictionTable(rows, hasScanner, hasClassPred, source);
    }
}
