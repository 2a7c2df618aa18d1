using System.Text.Json;
using OsteoML.Pipelines.Screening;

namespace OsteoML.Pipelines.Trends;

/// <summary>Reads the results a trend is computed from: a batch's results folder (its results.jsonl) or a JSON-lines file of
/// results (<c>results export --format jsonl</c>, or one bare result per line).</summary>
public static class TrendInput
{
    public static IReadOnlyList<StudyResult> Read(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "results.jsonl") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"{file}: no such results file (give a batch's --out folder or a results .jsonl file).");
        var results = new List<StudyResult>();
        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (line.Trim().Length == 0) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                var element = document.RootElement.TryGetProperty("result", out var inner) ? inner : document.RootElement;
                results.Add(element.Deserialize<StudyResult>(StudyResult.Json) ?? throw new JsonException("null"));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{file}:{number}: not a result ({ex.Message.Split('.')[0]}).", ex);
            }
        }
        return results;
    }
}
