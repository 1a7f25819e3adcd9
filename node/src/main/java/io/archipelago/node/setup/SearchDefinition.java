package io.archipelago.node.setup;

import io.archipelago.proto.LatencyConfig;
import io.archipelago.proto.SearchConfig;
import io.archipelago.proto.SearchSpec;
import io.archipelago.proto.SupernetConfig;
import io.archipelago.proto.TegConfig;
import io.archipelago.proto.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a search is, whichever way it came: from the command line ({@link SpecOptions}), or from a
 * journal's spec ({@link #of}), typed in {@code SearchConfig} or, in journals written before it
 * existed, as command-line arguments. The codec between the two lives here and only here, so a
 * renamed option breaks no journal: journals hold fields, not option names.
 *
 * @param options the search options; {@link SearchSetup#from} builds the search from them (and
 *     fills in what they derive, e.g. a measured latency), so decode a fresh one per search
 */
public record SearchDefinition(
        SearchOptions options,
        int budget,
        long seed,
        boolean cluster,
        int minEvaluators,
        int snapshotEvery,
        int share) {

    /** A spec's search: its typed config, or the arguments of a spec written before config existed. */
    public static SearchDefinition of(SearchSpec spec) {
        return spec.hasConfig() ? fromConfig(spec.getConfig()) : fromArgs(spec.getArgsList());
    }

    /** The journal's form: every setting one field, defaults filled in. */
    public SearchConfig toConfig() {
        SearchOptions o = options;
        SearchConfig.Builder c = SearchConfig.newBuilder()
                .setSpace(o.space)
                .setStrategy(o.strategy)
                .setEvaluator(o.evaluator)
                .setReward(o.reward)
                .addAllConstraints(o.constraints)
                .setLatencySlots(o.latencySlots)
                .setSlots(o.slots)
                .setSampleSize(o.sampleSize)
                .setPredictor(o.predictor)
                .setInitial(o.initial)
                .setRefitEvery(o.refitEvery)
                .setEvalTimeoutSeconds(o.evalTimeoutSeconds)
                .setMaxAttempts(o.maxAttempts)
                .setBudget(budget)
                .setSeed(seed)
                .setCluster(cluster)
                .setMinEvaluators(minEvaluators)
                .setSnapshotEvery(snapshotEvery)
                .setShare(share)
                .setTeg(TegConfig.newBuilder()
                        .setData(o.teg.data)
                        .setBatch(o.teg.batch)
                        .setRepeats(o.teg.repeats)
                        .setBatchNorm(o.teg.batchNorm)
                        .setChannels(o.teg.channels)
                        .setCells(o.teg.cells)
                        .setRankBy(o.teg.rankBy));
        LatencyConfig.Builder latency = LatencyConfig.newBuilder()
                .setMeasured(o.latency.measured)
                .setRepeats(o.latency.repeats)
                .setWarmup(o.latency.warmup)
                .setRunnerTimeoutSeconds(o.latency.runnerTimeout);
        if (o.latency.device != null) {
            latency.setDevice(o.latency.device);
        }
        if (o.latency.runner != null) {
            latency.setRunner(o.latency.runner);
        }
        if (o.latency.table != null) {
            latency.setTable(o.latency.table.toString());
        }
        c.setLatency(latency);
        SupernetConfig.Builder supernet =
                SupernetConfig.newBuilder().setEvalImages(o.supernet.evalImages).setEvalBatch(o.supernet.evalBatch);
        if (o.supernet.supernet != null) {
            supernet.setPath(o.supernet.supernet.toString());
        }
        c.setSupernet(supernet);
        c.setTrain(TrainConfig.newBuilder()
                .setEpochs(o.training.epochs)
                .setTrainImages(o.training.trainImages)
                .setValidImages(o.training.validImages)
                .setTestImages(o.training.testImages)
                .setChannels(o.training.channels)
                .setCells(o.training.cells)
                .setBatch(o.training.batch)
                .setThreads(o.training.threads)
                .setAugment(o.training.augment));
        if (o.metric != null) {
            c.setMetric(o.metric);
        }
        if (o.objectives != null) {
            c.setObjectives(o.objectives);
        }
        if (o.targetLatency != null) {
            c.setTargetLatencyMs(o.targetLatency);
        }
        if (o.benchmark != null) {
            c.setBenchmark(o.benchmark.toString());
        }
        if (o.evalTime != null) {
            c.setEvalTime(o.evalTime);
        }
        if (o.population != null) {
            c.setPopulation(o.population);
        }
        if (!o.scheduler.scheduler.equals("none")) {
            c.setScheduler(o.scheduler.scheduler).addAllRungs(o.scheduler.rungs).setEta(o.scheduler.eta);
        }
        return c.build();
    }

    static SearchDefinition fromConfig(SearchConfig c) {
        DefinitionCommand defaults = new DefinitionCommand();
        new CommandLine(defaults).parseArgs(); // defaults first, so every field below overrides one that has a value
        SearchOptions o = defaults.spec.options;
        o.scheduler = defaults.spec.scheduler;
        o.space = c.getSpace();
        o.strategy = c.getStrategy();
        o.evaluator = c.getEvaluator();
        o.metric = c.hasMetric() ? c.getMetric() : null;
        o.objectives = c.hasObjectives() ? c.getObjectives() : null;
        o.targetLatency = c.hasTargetLatencyMs() ? c.getTargetLatencyMs() : null;
        o.reward = c.getReward();
        o.constraints = new ArrayList<>(c.getConstraintsList());
        TegConfig teg = c.getTeg();
        o.teg.data = teg.getData();
        o.teg.batch = teg.getBatch();
        o.teg.repeats = teg.getRepeats();
        o.teg.batchNorm = teg.getBatchNorm();
        o.teg.channels = teg.getChannels();
        o.teg.cells = teg.getCells();
        o.teg.rankBy = teg.getRankBy();
        LatencyConfig latency = c.getLatency();
        o.latency.device = latency.hasDevice() ? latency.getDevice() : null;
        o.latency.measured = latency.getMeasured();
        o.latency.runner = latency.hasRunner() ? latency.getRunner() : null;
        o.latency.table = latency.hasTable() ? Path.of(latency.getTable()) : null;
        o.latency.repeats = latency.getRepeats();
        o.latency.warmup = latency.getWarmup();
        o.latency.runnerTimeout = latency.getRunnerTimeoutSeconds();
        if (c.hasSupernet()) { // else the options' defaults: the spec predates the supernet evaluator
            SupernetConfig supernet = c.getSupernet();
            o.supernet.supernet = supernet.hasPath() ? Path.of(supernet.getPath()) : null;
            o.supernet.evalImages = supernet.getEvalImages();
            o.supernet.evalBatch = supernet.getEvalBatch();
        }
        if (c.hasTrain()) { // else the options' defaults: the spec predates the train evaluator
            TrainConfig train = c.getTrain();
            o.training.epochs = train.getEpochs();
            o.training.trainImages = train.getTrainImages();
            o.training.validImages = train.getValidImages();
            o.training.testImages = train.getTestImages();
            o.training.channels = train.getChannels();
            o.training.cells = train.getCells();
            o.training.batch = train.getBatch();
            o.training.threads = train.getThreads();
            o.training.augment = train.getAugment();
        }
        o.latencySlots = c.getLatencySlots();
        o.benchmark = c.hasBenchmark() ? Path.of(c.getBenchmark()) : null;
        o.evalTime = c.hasEvalTime() ? c.getEvalTime() : null;
        o.slots = c.getSlots();
        o.population = c.hasPopulation() ? c.getPopulation() : null;
        o.sampleSize = c.getSampleSize();
        o.predictor = c.getPredictor();
        o.initial = c.getInitial();
        o.refitEvery = c.getRefitEvery();
        o.evalTimeoutSeconds = c.getEvalTimeoutSeconds();
        o.maxAttempts = c.getMaxAttempts();
        if (c.hasScheduler()) { // else none: the spec predates schedulers, or its search had none
            o.scheduler.scheduler = c.getScheduler();
            o.scheduler.rungs = new ArrayList<>(c.getRungsList());
            o.scheduler.eta = c.getEta();
        }
        return new SearchDefinition(
                o,
                c.getBudget(),
                c.getSeed(),
                c.getCluster(),
                c.getMinEvaluators(),
                c.getSnapshotEvery(),
                Math.max(1, c.getShare())); // specs written before shares existed: 0, the default share
    }

    /** A spec written before config existed: its options as arguments, parsed as when it started. */
    static SearchDefinition fromArgs(List<String> args) {
        DefinitionCommand command = new DefinitionCommand();
        try {
            new CommandLine(command).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(
                    "the journal's search options do not parse (" + e.getMessage() + "): " + args, e);
        }
        return command.spec.definition(); // as the command line makes it: a cluster search's slots are its evaluators
    }

    /** The command line that runs this search again (for people: {@code runs show} prints it). */
    public List<String> toArgs() {
        CommandLine line = new CommandLine(new DefinitionCommand(new SpecOptions(this)));
        List<String> args = new ArrayList<>();
        for (OptionSpec option : line.getCommandSpec().options()) {
            Object value = option.getValue();
            if (value == null || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            if (value instanceof Boolean flag) {
                if (flag) {
                    args.add(option.longestName());
                }
            } else if (value instanceof Collection<?> values) {
                for (Object v : values) {
                    args.add(option.longestName());
                    args.add(String.valueOf(v));
                }
            } else {
                args.add(option.longestName());
                args.add(String.valueOf(value));
            }
        }
        return args;
    }

    /** The spec options alone, as a command picocli can parse and print. */
    @Command(name = "search")
    static final class DefinitionCommand {
        @Mixin
        SpecOptions spec;

        DefinitionCommand() {
            this(new SpecOptions());
        }

        DefinitionCommand(SpecOptions spec) {
            this.spec = spec;
        }
    }
}
