package io.archipelago.node;

import picocli.CommandLine.Command;

/** {@code archipelago cluster ...}: commands that look at a running cluster. */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = "Look at a running cluster.",
        subcommands = {ClusterStatusCommand.class})
public final class ClusterCommand {}
