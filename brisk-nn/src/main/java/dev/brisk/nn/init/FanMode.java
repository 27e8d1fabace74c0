package dev.brisk.nn.init;

/** Which fan Kaiming initialisation preserves: the forward pass' variance (FAN_IN) or the backward's (FAN_OUT). */
public enum FanMode {
    FAN_IN,
    FAN_OUT
}
