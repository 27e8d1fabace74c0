package dev.brisk.train.io;

import java.io.IOException;

/** A safetensors file that breaks the format; the message names the file and the rule it breaks. */
public final class SafeTensorsFormatException extends IOException {
    public SafeTensorsFormatException(String message) {
        super(message);
    }
}
