"""Physics: kinematics, elastic laws and eigenstrains."""
