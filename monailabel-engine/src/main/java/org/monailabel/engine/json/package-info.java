/**
 * JSON helpers shared by the engine and the HTTP layer: conversion between Gson trees and the plain
 * JDK values ({@code Map}, {@code List}, {@code String}, {@code Long}, {@code Double}, {@code
 * Boolean}, {@code null}) that the public API speaks.
 */
package org.monailabel.engine.json;
