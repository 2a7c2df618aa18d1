using System.Text;

namespace OsteoML.Domain;

/// <summary>RFC 4180 records as every CSV input reads them (predictions, cohort manifests) and the quoting every CSV output writes.</summary>
public static class CsvFile
{
    /// <summary>Records with their number (the header is 1); a quoted field may hold commas, quotes ("") and line breaks.</summary>
    public static IEnumerable<(int Number, string[] Fields)> Records(TextReader reader, string source)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var number = 1;
        var quoted = false;     // inside quotes
        var any = false;        // the current record has begun
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else quoted = false;
                }
                else field.Append((char)c);
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r' or '\n':
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (number++, fields.ToArray());
                    fields.Clear();
                    any = false;
                    break;
                default:
                    field.Append((char)c);
                    break;
            }
        }
        if (quoted)
            throw new InvalidDataException($"{source}: row {number}: a quoted field is not closed before the end of the file");
        if (any)
        {
            fields.Add(field.ToString());
            yield return (number, fields.ToArray());
        }
    }

    /// <summary>The field as RFC 4180 writes it: quoted (inner quotes doubled) only when it holds a comma, quote or line break.</summary>
    public static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}
