using OsteoML.AutoTune.Experiments;
using OsteoML.AutoTune.Search;
using OsteoML.AutoTune.Tuners;

namespace OsteoML.Pipelines.Heads;

/// <summary>
/// What a head was trained with: the trainer family and its parameters, the tuner that chose them (null: the pipeline
/// definition fixed them), the metric trials are scored by, and the cross-validated trial behind the choice — the tuner's best, or the fixed trainer
/// scored the same way (null when the training studies were too few patients to cross-validate).
/// </summary>
public sealed record HeadChoice(HeadTask Task, TrainerFamily Family, ParameterSet Parameters, TunerKind? Tuner, TuningMetric Metric, TrialRecord? Trial);
