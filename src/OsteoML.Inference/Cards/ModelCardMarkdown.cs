using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OsteoML.Inference;

/// <summary>The human-readable model card (docs/model-cards/&lt;name&gt;.md), rendered from card.json so the two cannot disagree.</summary>
public static class ModelCardMarkdown
{
    public static string Render(ModelCard card)
    {
        var md = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        md.AppendLine($"# Model card: {card.Name}").AppendLine();
        md.AppendLine(card.Description).AppendLine();
        md.AppendLine($"Generated from `models/{card.Name}/card.json`; `osteoml models verify models/{card.Name}` checks the file against it.").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine($"| task | {card.Task} |");
        md.AppendLine(ci, $"| file | `{card.File}`, {card.SizeBytes / 1024.0:F0} KiB, ONNX opset {card.Opset} |");
        md.AppendLine($"| sha256 | `{card.Sha256}` |");
        md.AppendLine($"| licence | {card.License} |");
        md.AppendLine($"| architecture | {card.Architecture.Family}: {card.Architecture.Summary} |");
        md.AppendLine(ci, $"| parameters | {card.Architecture.Parameters:N0} |");
        md.AppendLine(ci, $"| cost | {card.Architecture.GigaFlopsPerInput:F2} GFLOP (convolutions) per {card.Architecture.InputForFlops} |");
        if (card.Architecture.ReceptiveFieldVoxels is { } rf)
            md.AppendLine(ci, $"| receptive field | {rf} voxels |");
        md.AppendLine();

        md.AppendLine("## Inputs and outputs").AppendLine();
        md.AppendLine("| | name | type | shape |").AppendLine("|---|---|---|---|");
        foreach (var (kind, spec) in card.Inputs.Select(s => ("input", s)).Concat(card.Outputs.Select(s => ("output", s))))
            md.AppendLine($"| {kind} | `{spec.Name}` | {spec.ElementType} | [{string.Join(", ", spec.Shape)}] |");
        md.AppendLine();
        if (card.Classes.Count > 0 && card.Task == "segmentation")
            md.AppendLine($"Output channels: {string.Join(", ", card.Classes.Select((c, i) => $"{i} `{c}`"))}.").AppendLine();

        var p = card.Preprocessing;
        md.AppendLine("## Preprocessing").AppendLine();
        md.AppendLine($"- Orientation: {p.Orientation}.");
        md.AppendLine(ci, $"- Spacing: {string.Join(" × ", p.SpacingMm.Select(s => s.ToString(ci)))} mm.");
        md.AppendLine(ci, $"- HU: clip to [{p.Hu.Min}, {p.Hu.Max}], then (HU − {p.Hu.Center}) / {p.Hu.Scale}.");
        md.AppendLine($"- Patch or crop: {string.Join(" × ", p.PatchSize)} voxels; sizes multiple of {p.SizeMultiple}.");
        foreach (var note in p.Notes)
            md.AppendLine($"- {note}");
        md.AppendLine();
        foreach (var (key, value) in card.Postprocessing)
        {
            md.AppendLine($"## Postprocessing: {key}").AppendLine();
            if (value.ValueKind == JsonValueKind.Object)
                foreach (var property in value.EnumerateObject())
                    md.AppendLine($"- {property.Name}: {(property.Value.ValueKind == JsonValueKind.Array ? string.Join(", ", property.Value.EnumerateArray()) : property.Value)}");
            md.AppendLine();
        }

        var t = card.Training;
        md.AppendLine("## Training").AppendLine();
        md.AppendLine(ci, $"- Data: preset `{t.Preset}`, seed {t.Seed}, split `{t.Split}`, {t.Cases} cases; {t.Steps} steps of batch {t.BatchSize} ({t.Epochs} epochs).");
        md.AppendLine(ci, $"- Loss: {t.FirstLoss} (mean of the first 20 steps) → {t.FinalLoss} (last 20).");
        md.AppendLine(ci, $"- Wall time: {t.WallTimeMinutes} min on {t.Machine}.");
        md.AppendLine($"- Augmentation: {string.Join("; ", t.Augmentation)}.");
        if (t.Notes is not null)
            md.AppendLine($"- {t.Notes}");
        md.AppendLine();

        md.AppendLine("## Metrics").AppendLine();
        foreach (var (split, metrics) in card.Metrics)
        {
            md.AppendLine($"### {split}").AppendLine();
            md.AppendLine("| metric | value |").AppendLine("|---|---|");
            foreach (var (name, value) in metrics)
                md.AppendLine(ci, $"| {name} | {value:0.####} |");
            md.AppendLine();
        }
        return md.ToString();
    }
}
