package io.archipelago.controller.strategy;

import java.util.Map;

/** A successful trial with its metrics and its score (the objective, larger is better). */
public record Observation<A>(Trial<A> trial, Map<String, Double> metrics, double score) {}
