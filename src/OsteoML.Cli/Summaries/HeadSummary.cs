using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.Cli.Summaries;

/// <summary>
/// A trained head in <c>train --json</c>: the trainer family and its hyper-parameters (name → number or text, full precision),
/// the tuner that chose it (null: fixed by the definition), whether <c>osteoml export onnx</c> converts it, and its
/// cross-validation on the training split (null when too few patients).
/// </summary>
internal sealed record HeadSummary(HeadTask Head, string Trainer, IReadOnlyDictionary<string, object> Parameters, TunerKind? Tuner, bool ExportsToOnnx, CrossValidationSummary? CrossValidation);
