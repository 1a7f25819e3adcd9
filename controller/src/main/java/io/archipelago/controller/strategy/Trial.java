package io.archipelago.controller.strategy;

/** One proposal of a strategy: its number (the candidate id) and the architecture. */
public record Trial<A>(long id, A architecture) {}
